import { afterAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/index.js';
import { esc } from '../../src/report/html.js';
import { mdEscape } from '../../src/report/markdown.js';
import { ResultStore } from '../../src/runner/store.js';
import { EVIL, fillStore, fixtureStore } from './fixture.js';
import { htmlProblems } from './html-check.js';

describe('the HTML page and the Markdown summary', () => {
  const store = fixtureStore({
    addingT: [20, 50],
    copyT: [30],
    depths: [1, 8],
    accidents: true,
    evil: true,
    description: `Evil ${EVIL} & "quotes" 'too'`,
  });
  afterAll(() => store.close());
  const report = buildReport(store, 'deep-transition', { title: `Report ${EVIL}` });

  it('is well-formed HTML5', () => {
    expect(htmlProblems(report.html)).toEqual([]);
    expect(report.html).toContain('<meta charset="utf-8">');
  });

  it('is self-contained: no scripts, no network references, no external fonts or stylesheets', () => {
    expect(report.html.match(/https?:\/\//g)).toBeNull();
    expect(report.html.match(/<script|<link|<iframe|@import|@font-face|url\((?!#)|src=/gi)).toBeNull();
    const ids = [...report.html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length); // ids unique across all inline SVGs
    expect(report.html.match(/<svg /g)!.length).toBe(Object.keys(report.svgs).length);
  });

  it('escapes every user-provided string (study description, names, errors, title)', () => {
    expect(report.html.includes(EVIL)).toBe(false);
    expect(report.html.includes('<b>more</b>')).toBe(false);
    expect(report.html).toContain(esc(EVIL));
    expect(report.html).toContain('<title>Report &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</title>');
    expect(report.html).toContain('Evil &lt;script&gt;');
    expect(report.html).toContain('&#39;too&#39;');
    expect(report.html).toContain('worker crashed on &lt;script&gt;');
    for (const svg of Object.values(report.svgs)) expect(svg).not.toContain(EVIL);
  });

  it('puts findings first, then figures with captions, then the tables and the failed trials', () => {
    const at = (s: string) => report.html.indexOf(s);
    expect(at('id="findings"')).toBeGreaterThan(0);
    expect(at('id="findings"')).toBeLessThan(at('id="figures"'));
    expect(at('id="figures"')).toBeLessThan(at('id="results"'));
    expect(at('id="results"')).toBeLessThan(at('id="problems"'));
    expect(report.html.match(/<figcaption>/g)!.length).toBe(Object.keys(report.svgs).length);
    for (const f of report.findings) expect(report.html).toContain(esc(f.sentence));
    expect(report.html).toMatch(/<b>\d+<\/b><span>trials<\/span>/);
    expect(report.html).toContain('<b>1</b><span>diverged</span>');
  });

  it('the Markdown has the findings, a results table, links to the SVGs, and escapes names', () => {
    const md = report.markdown;
    expect(md).toMatch(/^# Report &lt;script&gt;/);
    expect(md).not.toContain(EVIL);
    expect(md).toContain('## Findings');
    for (const name of Object.keys(report.svgs)) expect(md).toContain(`](${name})`);
    expect(md).toMatch(/\| Model \| Setting \| Solved \|/);
    expect(md).toContain('| plain L=8 | T=20 |');
    expect(mdEscape('a|b *c* <d>')).toBe('a\\|b \\*c\\* &lt;d&gt;');
  });

  it('mdEscape leaves no control character that could start a line: a lone \\r, \\t, C0, DEL, C1, U+2028', () => {
    const evil = [
      'x\r# heading',
      'x\r\n- item',
      'a\tb',
      'n\u0000\u0007\u001b[31m',
      'del\u007f',
      'nel\u0085',
      'ls\u2028ps\u2029',
    ];
    for (const s of evil) {
      const e = mdEscape(s);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
      expect(e).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      expect(e.split(/\r\n|\r|\n/)).toHaveLength(1);
    }
    expect(mdEscape('x\r# heading')).toBe('x \\# heading');
    // alone on a line (a description), nothing opens a block: list items, headings by underline, indented code
    expect(mdEscape('- item')).toBe('\\- item');
    expect(mdEscape('+ item')).toBe('\\+ item');
    expect(mdEscape('===')).toBe('\\===');
    expect(mdEscape('12. item')).toBe('12\\. item');
    expect(mdEscape('\t    code')).toBe('code');
    expect(mdEscape('\r| a | b |')).toBe('\\| a \\| b \\|');
  });

  it('degenerate studies (every trial failed; no instruments recorded) still give a valid report', () => {
    const failed = new ResultStore(':memory:');
    const specs = fillStore(failed, { addingT: [20], copyT: [], depths: [1, 2], seeds: [1, 2] });
    const bare = new ResultStore(':memory:');
    for (const spec of specs) {
      failed.writeTrial(spec, {
        status: 'failed',
        steps: 0,
        divergedAt: null,
        error: 'boom',
        solvedAt: null,
        final: null,
        seconds: 0.1,
        metrics: [],
        curves: [],
        summary: {},
      });
      bare.writeTrial(spec, {
        status: 'done',
        steps: 100,
        divergedAt: null,
        error: null,
        solvedAt: null,
        final: { loss: 0.2, metric: 0.2 },
        seconds: 1,
        metrics: [],
        curves: [],
        summary: {},
      });
    }
    bare.saveStudy('deep-transition', 'x', {});
    for (const s of [failed, bare]) {
      const r = buildReport(s, 'deep-transition');
      expect(htmlProblems(r.html)).toEqual([]);
      expect(Object.keys(r.svgs)).toEqual(['success-adding.svg']);
      expect(r.html).toContain('Not drawn:');
      const rate = r.findings.filter((f) => f.id.startsWith('decay-rate:'));
      expect(rate.length).toBeGreaterThan(0);
      for (const f of rate) expect([f.verdict, f.p]).toEqual(['inconclusive', null]);
      s.close();
    }
  });

  it('a study with no finished trials gives a report that says so', () => {
    const empty = new ResultStore(':memory:');
    empty.saveStudy('fresh', 'fresh.yaml', { name: 'fresh' });
    const r = buildReport(empty, 'fresh');
    expect(r.findings).toEqual([]);
    expect(r.svgs).toEqual({});
    expect(r.html).toContain('No finished trials');
    expect(htmlProblems(r.html)).toEqual([]);
    expect(r.markdown).toContain('No finished trials yet');
    expect(() => buildReport(empty, 'other')).toThrow(/study "other" not found \(the database holds: fresh\)/);
    empty.close();
  });
});
