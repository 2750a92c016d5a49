/**
 * Sequences from files, ready for `dataset()`:
 *
 * - CSV (header row; one row per time step): consecutive rows with the same value in the `sequence` column
 *   form one sequence; `features` columns (default: all others but the target) are the inputs; the `target`
 *   column is read at each sequence's last row (target 'last') or at every row ('all').
 * - JSON lines (.jsonl, .ndjson): one sequence per line, `{"x": [[…], …] or […], "y": …}`.
 *
 * ```ts
 * const data = dataset({ ...loadSequences('ecg.csv', { sequence: 'id', target: 'label' }), loss: 'xent' });
 * ```
 */
import { nodeBuiltin } from '../util/node-builtin.js';

export interface LoadSequencesOptions {
  /** File format (default: from the extension: .csv, or .jsonl / .ndjson). */
  format?: 'csv' | 'jsonl';
  /** CSV: the column that identifies sequences (default: the whole file is one sequence). */
  sequence?: string;
  /** CSV: input columns (default: every column but `sequence` and `target`). */
  features?: readonly string[];
  /** CSV: the target column (required for CSV). */
  target?: string;
  /** 'last' (default): one target per sequence (its last row's); 'all': a target at every step. */
  targetMode?: 'last' | 'all';
}

export interface LoadedSequences {
  x: number[][][];
  y: (number | number[])[] | number[][];
  target: 'last' | 'all';
}

/** Read sequences and targets from a CSV or JSON-lines file (errors name the file, line and column). */
export function loadSequences(path: string, options: LoadSequencesOptions = {}): LoadedSequences {
  const { readFileSync } = nodeBuiltin('node:fs', `loadSequences(${path})`);
  const { extname } = nodeBuiltin('node:path', `loadSequences(${path})`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${(e as Error).message})`);
  }
  const ext = extname(path).toLowerCase();
  const format = options.format ?? (ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : null);
  if (format === null)
    throw new Error(`${path}: cannot tell the format from the extension "${ext}" (pass format: 'csv' or 'jsonl')`);
  return format === 'csv' ? fromCsv(path, text, options) : fromJsonLines(path, text, options.targetMode ?? 'last');
}

/** Split one CSV line into fields (RFC 4180 quotes: "a,b" and "" for a quote). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '',
    quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

function fromCsv(path: string, text: string, o: LoadSequencesOptions): LoadedSequences {
  const lines = text.split(/\r?\n/);
  const header = csvFields(lines[0] ?? '');
  if (!o.target) throw new Error(`${path}: name the target column (target: one of ${header.join(', ')})`);
  const col = (name: string, what: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${path}: no ${what} column "${name}" (the header has ${header.join(', ')})`);
    return i;
  };
  const ti = col(o.target, 'target');
  const si = o.sequence !== undefined ? col(o.sequence, 'sequence') : -1;
  const fi = (o.features ?? header.filter((h, i) => i !== ti && i !== si)).map((f) => col(f, 'feature'));
  if (fi.length === 0) throw new Error(`${path}: no feature columns left besides the target and sequence columns`);
  const mode = o.targetMode ?? 'last';
  const x: number[][][] = [],
    ys: number[][] = [];
  let lastId: string | null = null;
  for (let l = 1; l < lines.length; l++) {
    if (lines[l].trim() === '') continue;
    const f = csvFields(lines[l]);
    if (f.length !== header.length)
      throw new Error(`${path}:${l + 1}: ${f.length} fields, the header has ${header.length}`);
    const num = (i: number): number => {
      const v = f[i] === '' ? NaN : Number(f[i]);
      if (!Number.isFinite(v)) throw new Error(`${path}:${l + 1}: column "${header[i]}" is "${f[i]}", not a number`);
      return v;
    };
    const id = si >= 0 ? f[si] : '';
    if (lastId === null || id !== lastId) {
      x.push([]);
      ys.push([]);
      lastId = id;
    }
    x[x.length - 1].push(fi.map(num));
    ys[ys.length - 1].push(num(ti));
  }
  if (x.length === 0) throw new Error(`${path}: no data rows after the header`);
  return { x, y: mode === 'all' ? ys : ys.map((s) => s[s.length - 1]), target: mode };
}

function fromJsonLines(path: string, text: string, mode: 'last' | 'all'): LoadedSequences {
  const x: number[][][] = [],
    y: (number | number[])[] = [];
  text.split(/\r?\n/).forEach((line, l) => {
    if (line.trim() === '') return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      throw new Error(`${path}:${l + 1}: not valid JSON`);
    }
    const r = rec as { x?: unknown; y?: unknown };
    if (typeof rec !== 'object' || rec === null || !Array.isArray(r.x) || r.y === undefined) {
      throw new Error(`${path}:${l + 1}: expected an object {"x": [...], "y": ...}`);
    }
    x.push((r.x as unknown[]).map((s) => (Array.isArray(s) ? s : [s]) as number[]));
    y.push(r.y as number | number[]);
  });
  if (x.length === 0) throw new Error(`${path}: no sequences`);
  return { x, y, target: mode };
}
