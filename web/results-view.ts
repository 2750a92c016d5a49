/**
 * The results view: a study export (`recur export`, .jsonl.gz) opened in the page — the committed flagship
 * results by default (bundled, fetched beside the page once it has loaded), or a file the reader picks —
 * decompressed with DecompressionStream, read by the report's own code (src/report: readExport,
 * loadStudyData, the figure builders) and browsed one figure at a time, drawn by vega-embed from the same
 * Vega-Lite specs the report renders to SVG.
 */
import embed from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import committedUrl from '../docs/deep-transition/results.jsonl.gz?url';
import { loadStudyData } from '../src/report/data.js';
import { readExport } from '../src/report/export-reader.js';
import { buildFigureSpecs, type FigureSpec } from '../src/report/plots.js';
import { THEME } from '../src/report/theme.js';
import { loadGtt, loadSeries } from '../src/report/series.js';
import { modelCurves } from '../src/report/trainability.js';
import type { ResultsState } from './state.js';
import { $, fail } from './ui.js';

/** The text of a gzip file (or of one the server already decompressed: no gzip magic number). */
export async function gunzipText(bytes: Uint8Array): Promise<string> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return new TextDecoder().decode(bytes);
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

/** The figures of the study in an export, as the report builds them. */
export function exportFigures(text: string, source: string): { study: string; trials: number; figures: FigureSpec[] } {
  const results = readExport(text, source);
  const data = loadStudyData(results, results.study);
  const gtt = loadGtt(results, data.trials);
  const loss = loadSeries(results, data.trials, 'train.loss');
  const { figures } = buildFigureSpecs({ data, gtt, loss, curves: modelCurves(data) });
  return { study: results.study, trials: data.trials.length, figures };
}

/** Wire the results view: fetch the committed export now (so the page works offline later), open on demand. */
export function setupResults(page: { results: ResultsState }): void {
  const committed: Promise<Uint8Array> = fetch(committedUrl).then(async (r) => {
    if (!r.ok) throw new Error(`the committed results (${committedUrl}) answered ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  });
  committed.catch(() => undefined); // reported when opened
  let figures: FigureSpec[] = [];
  const select = $<HTMLSelectElement>('figure');

  const show = async (id: string): Promise<void> => {
    const f = figures.find((x) => x.id === id);
    if (!f) return;
    $('figure-title').textContent = f.title;
    $('figure-caption').textContent = f.caption;
    const spec = { ...f.spec, config: { ...THEME, ...(f.spec.config ?? {}) } } as TopLevelSpec;
    await embed('#result-plot', spec, { actions: false, renderer: 'svg' });
    page.results.shown = id;
  };

  const open = async (bytes: Promise<Uint8Array>, source: string): Promise<void> => {
    $('results-status').textContent = `reading ${source} …`;
    page.results = { figures: [], shown: null, trials: 0 };
    try {
      const text = await gunzipText(await bytes);
      const built = exportFigures(text, source);
      figures = built.figures;
      select.replaceChildren(...figures.map((f) => new Option(f.short, f.id)));
      select.disabled = figures.length === 0;
      $('results-status').textContent =
        `${source}: study ${built.study}, ${built.trials} trials, ${figures.length} figures`;
      page.results = { figures: figures.map((f) => f.id), shown: null, trials: built.trials };
      if (figures.length) await show(figures[0].id);
    } catch (e) {
      $('results-status').textContent = `could not read ${source}`;
      fail(e);
    }
  };

  select.addEventListener('change', () => void show(select.value).catch(fail));
  $('open-committed').addEventListener('click', () => void open(committed, 'results.jsonl.gz (deep-transition)'));
  $<HTMLInputElement>('export-file').addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file)
      void open(
        file.arrayBuffer().then((b) => new Uint8Array(b)),
        file.name,
      );
  });
}
