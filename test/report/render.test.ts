import { describe, expect, it } from 'vitest';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { inlineSvg, renderSvg, THEME, type VlSpec } from '../../src/report/render.js';

const spec = {
  width: 200,
  height: 120,
  data: {
    values: [
      { x: 1, y: 2, name: '<b>&' },
      { x: 2, y: 8, name: '<b>&' },
    ],
  },
  mark: 'line',
  encoding: {
    x: { field: 'x', type: 'quantitative', title: 'step' },
    y: { field: 'y', type: 'quantitative', scale: { type: 'log' } },
    color: { field: 'name', type: 'nominal' },
  },
} as VlSpec;

describe('renderSvg', () => {
  it("renders synchronously exactly what vega's async toSVG renders", async () => {
    const svg = renderSvg(spec);
    const view = new vega.View(vega.parse(vl.compile({ ...spec, config: THEME } as VlSpec).spec), { renderer: 'none' });
    expect(svg).toBe(await view.toSVG());
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/^<svg[^>]* width="\d+" height="\d+"/);
  });

  it('escapes data strings and references nothing outside the file but the SVG namespaces', () => {
    const svg = renderSvg(spec);
    expect(svg).toContain('&lt;b&gt;&amp;');
    expect(svg).not.toContain('<b>');
    expect((svg.match(/https?:\/\/[^"]*/g) ?? []).sort()).toEqual([
      'http://www.w3.org/1999/xlink',
      'http://www.w3.org/2000/svg',
    ]);
    expect(svg).not.toMatch(/@font-face|url\(|<image|<script/i);
  });

  it('inlines without namespace URLs, with an accessible label, scaling to the page width', () => {
    const inline = inlineSvg(renderSvg(spec), 'a "plot" <x>', 'f1');
    expect(inline).not.toMatch(/https?:/);
    expect(inline).toMatch(/^<svg role="img" aria-label="a &quot;plot&quot; &lt;x&gt;"/);
    expect(inline).toContain('style="max-width:100%;height:auto"');
  });

  it('prefixes internal ids so that several inline SVGs on one page do not share clip paths', () => {
    const svg = renderSvg({ ...spec, mark: { type: 'line', clip: true } } as VlSpec);
    expect(svg).toMatch(/id="clip\d+"/);
    const inline = inlineSvg(svg, 'x', 'f2');
    const ids = [...inline.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    const refs = [...inline.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith('f2-'))).toBe(true);
    expect(refs.every((r) => ids.includes(r))).toBe(true);
  });
});
