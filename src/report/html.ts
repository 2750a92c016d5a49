/**
 * The HTML report: one self-contained static page (inline CSS, inline SVG, no scripts, no network).
 * Order: title and run summary, findings (each with its evidence, CI, p and rule in a <details>), the checks
 * (apart: not findings), figures with captions, the analysis tables (c(a), T₅₀, pilot; each only when the
 * study has data for it), the per-group results tables, then the trials that diverged or failed.
 * Every string that came from a user or a run (study, task, model names, descriptions, errors) goes
 * through `esc`.
 */
import { isUntrained, type Group, type StudyData } from './data.js';
import type { Finding, Verdict } from './findings.js';
import type { Figure } from './plots.js';
import type { Table } from './tables.js';
import { inlineSvg } from './render.js';
import { fmt, fmtDuration } from './stats.js';
import { CSS } from './html-style.js';

/** Escape text for HTML element content and double- or single-quoted attributes. */
export function esc(s: unknown): string {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export interface ReportContent {
  title: string;
  data: StudyData;
  findings: Finding[];
  figures: Figure[];
  /** Figures that could not be drawn, and why. */
  missing: string[];
  /** The analysis tables (c(a), T₅₀, pilot); omitted when the study has no data for them. */
  tables: Table[];
  /** Where the results came from (shown in the footer). */
  source: string;
  generated: Date;
}

/** Figures at most this wide (px) sit side by side. */
const NARROW = 560;

const VERDICT_CLASS: Record<Verdict, string> = { held: 'held', 'did not hold': 'not', inconclusive: 'inc' };

function card(value: string | number, label: string, cls = ''): string {
  return `<div class="card${cls ? ` ${cls}` : ''}"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
}

const CHECK_WORD: Record<Verdict, string> = { held: 'passed', 'did not hold': 'failed', inconclusive: 'not checked' };

function findingItem(f: Finding): string {
  const c = VERDICT_CLASS[f.verdict];
  const word = f.kind === 'check' ? CHECK_WORD[f.verdict] : f.verdict;
  const stats =
    f.p === null
      ? ''
      : `<p><b>Test:</b> one-sided p = ${esc(fmt(f.p, 3))}, Holm-adjusted over the report's tests ${esc(fmt(f.pHolm, 3))}.</p>`;
  const ci = f.ci ? `<p><b>95% CI</b> of ${esc(f.ci.of)}: [${esc(fmt(f.ci.lo, 3))}, ${esc(fmt(f.ci.hi, 3))}].</p>` : '';
  return (
    `<li class="${c}"><span class="badge ${c}">${esc(word)}</span>${esc(f.sentence)}` +
    `<details><summary>evidence and rule (${f.trials} trials, ${f.seeds} seeds)</summary><p><b>Claim:</b> ${esc(f.claim)}</p>` +
    `<p><b>Evidence:</b> ${esc(f.evidence)}.</p>${ci}${stats}<p><b>Rule:</b> ${esc(f.rule)}</p></details></li>`
  );
}

function findingsSection(all: Finding[]): string {
  const findings = all.filter((f) => f.kind === 'finding');
  if (findings.length === 0)
    return '<p class="note">No finding could be computed: the study has none of the models or measurements the claims are about, or no finished trials.</p>';
  const tally = (['held', 'did not hold', 'inconclusive'] as Verdict[])
    .map((v) => `${findings.filter((f) => f.verdict === v).length} ${v}`)
    .join(' · ');
  const tested = findings.filter((f) => f.pHolm !== null).length;
  const topics = [...new Set(findings.map((f) => f.topic))];
  return (
    `<p class="tally">${esc(tally)}. Every sentence below is computed from the stored trials; the verdict follows the rule shown under it. ` +
    `${tested} claims were tested and Holm-corrected together (family-wise α = 0.05): "held" needs the adjusted p ≤ 0.05, "did not hold" needs the 95% CI to exclude the predicted effect, anything else is "inconclusive". ` +
    'Each claim is tested at one sequence length (nothing is pooled over T), paired by seed where the conditions share seeds; conditions that carry no information are not tested, and tests too small to reach p ≤ 0.05 stay out of the correction.</p>' +
    topics
      .map(
        (t) =>
          `<h3>${esc(t.charAt(0).toUpperCase() + t.slice(1))}</h3>\n<ul class="findings">\n${findings
            .filter((f) => f.topic === t)
            .map(findingItem)
            .join('\n')}\n</ul>`,
      )
      .join('\n')
  );
}

function checksSection(all: Finding[]): string {
  const checks = all.filter((f) => f.kind === 'check');
  if (checks.length === 0) return '';
  return (
    '<h2 id="checks">Checks</h2>\n<p class="note">Inequalities and identities the mathematics guarantees (a measured gradient under its theory bound, the linear control\'s exact rate). ' +
    'They test the instruments, not the question, and are not counted as findings.</p>\n' +
    `<ul class="findings">\n${checks.map(findingItem).join('\n')}\n</ul>`
  );
}

/** An analysis table; `marked` cells in bold. */
export function tableHtml(t: Table): string {
  const mark = new Set(t.marked.map(([r, c]) => `${r}:${c}`));
  const head = t.head.map((h, i) => `<th${t.numeric[i] ? ' class="n"' : ''}>${esc(h)}</th>`).join('');
  const rows = t.rows.map(
    (r, i) =>
      `<tr>${r
        .map((c, j) => {
          const v = mark.has(`${i}:${j}`) ? `<b>${esc(c)}</b>` : esc(c);
          return `<td${t.numeric[j] ? ' class="n"' : ''}>${v}</td>`;
        })
        .join('')}</tr>`,
  );
  return `<h3 id="table-${esc(t.id)}">${esc(t.title)}</h3>\n<p class="note">${esc(t.note)}</p>\n<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
}

/** Figures in order; consecutive narrow ones (heatmaps, dot plots) share a row. */
function figuresSection(figures: Figure[], missing: string[]): string {
  const html = figures.map((f, i) => {
    const width = Number(/^<svg[^>]* width="(\d+(?:\.\d+)?)"/.exec(f.svg)?.[1] ?? 0);
    const narrow = width > 0 && width <= NARROW;
    return {
      narrow,
      html:
        `<figure id="fig-${esc(f.id)}"${narrow ? ` class="narrow" style="width:${Math.ceil(width)}px"` : ''}><div class="plot">${inlineSvg(f.svg, f.title, `f${i + 1}`)}</div>` +
        `<figcaption><b>Figure ${i + 1}. ${esc(f.title)}.</b> ${esc(f.caption)}</figcaption></figure>`,
    };
  });
  const out: string[] = [];
  for (let i = 0; i < html.length; ) {
    if (!html[i].narrow) {
      out.push(html[i++].html);
      continue;
    }
    const row: string[] = [];
    while (i < html.length && html[i].narrow) row.push(html[i++].html);
    out.push(row.length > 1 ? `<div class="row">${row.join('')}</div>` : row[0]);
  }
  const notes = missing.length ? `<p class="note">Not drawn: ${missing.map(esc).join(' ')}</p>` : '';
  return out.join('\n') + notes;
}

function decayCell(e: Group['decayInit']): string {
  if (!e) return '–';
  return e.n > 1 ? `${fmt(e.mean, 2)} ± ${fmt((e.hi - e.lo) / 2, 1)}` : fmt(e.mean, 2);
}

function groupTable(groups: Group[]): string {
  const head = [
    ['Model', ''],
    ['Setting', ''],
    ['Solved / trials', ''],
    ['Steps to solve (median)', 'n'],
    ['Final metric (median)', 'n'],
    ['Decay/step at init', 'n'],
    ['Decay/step at end', 'n'],
    ['Bound/step', 'n'],
    ['Diverged', 'n'],
    ['Failed', 'n'],
    ['Compute', 'n'],
  ];
  // no sort arrows: the page has no script, and the rows come sorted by task, then model
  const th = head.map(([h, c]) => `<th${c ? ` class="${c}"` : ''}>${esc(h)}</th>`).join('');
  const rows = groups.map((g) => {
    const pct = Math.round(100 * g.successRate);
    const metric = g.task.metric ? ` ${esc(g.task.metric)}` : '';
    return (
      `<tr><td>${esc(g.model.label)}</td><td>${esc(g.task.axesLabel || '–')}</td>` +
      (g.trials.every(isUntrained)
        ? '<td title="measured at initialisation only">not trained</td>'
        : `<td title="${g.seeds} seeds"><span class="bar"><i style="width:${pct}%"></i></span>${g.solved}/${g.trials.length}</td>`) +
      `<td class="n">${g.stepsToSolve === null ? '–' : esc(fmt(g.stepsToSolve))}</td><td class="n">${esc(fmt(g.finalMetric))}${g.finalMetric === null ? '' : metric}</td>` +
      `<td class="n">${esc(decayCell(g.decayInit))}</td><td class="n">${esc(decayCell(g.decayEnd))}</td><td class="n">${esc(fmt(g.boundPerStep?.mean, 2))}</td>` +
      `<td class="n">${g.diverged || ''}</td><td class="n">${g.failed || ''}</td><td class="n">${esc(fmtDuration(g.seconds))}</td></tr>`
    );
  });
  return `<div class="scroll"><table><thead><tr>${th}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
}

function tablesSection(data: StudyData): string {
  const names = [...new Set(data.tasks.map((t) => t.name))];
  return (
    '<p class="note">One row per model and task setting, over seeds. Decay/step: the fitted per-step log-slope of ‖∂L/∂h_t‖ (mean ± half the 95% CI); bound/step: the log of the per-step theory bound, where the cell has one.</p>\n' +
    names
      .map((n) => {
        const settings = data.tasks.filter((t) => t.name === n);
        const full = describeScore(settings);
        const score = full.startsWith(`${n}; `) ? full.slice(n.length + 2) : full;
        return `<h3>${esc(n)} <span class="note">(${esc(score)})</span></h3>\n${groupTable(data.groups.filter((g) => g.task.name === n))}`;
      })
      .join('\n')
  );
}

/** "adding; baseline mse 0.167, solved below 0.01" (per setting when they differ). */
export function describeScore(settings: readonly StudyData['tasks'][number][]): string {
  const t = settings[0];
  if (!t || t.metric === null || t.baseline === null) return t?.kind ?? '';
  const same = (f: (x: typeof t) => number | null) => settings.every((s) => f(s) === f(t));
  const per = (f: (x: typeof t) => number | null) =>
    same(f) ? fmt(f(t)) : settings.map((s) => `${s.axesLabel} ${fmt(f(s))}`).join(', ');
  const solved =
    t.solvedBelow !== null
      ? `, solved below ${per((s) => s.solvedBelow)}`
      : t.solvedAbove !== null
        ? `, solved above ${per((s) => s.solvedAbove)}`
        : '';
  return `${t.kind}; trivial baseline ${t.metric} ${per((s) => s.baseline)}${solved}`;
}

function problemsSection(data: StudyData): string {
  const bad = data.trials.filter((v) => v.trial.status !== 'done');
  if (bad.length === 0) return '';
  const rows = bad.map(
    (v) =>
      `<tr><td>${esc(v.trial.label)}</td><td>${esc(v.trial.status)}</td><td class="n">${v.trial.divergedAt ?? v.trial.steps}</td>` +
      `<td class="err"><code>${esc((v.trial.error ?? '–').slice(0, 400))}</code></td></tr>`,
  );
  return `<h2 id="problems">Trials that diverged or failed</h2>\n<table><thead><tr><th>Trial</th><th>Status</th><th class="n">At step</th><th>Error</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** The whole page. */
export function renderHtml(c: ReportContent): string {
  const { data } = c;
  const n = data.counts;
  const empty = n.total === 0;
  const cards = [
    card(n.total, 'trials'),
    card(n.done, 'done', 'good'),
    card(n.diverged, 'diverged', n.diverged ? 'bad' : ''),
    card(n.failed, 'failed', n.failed ? 'bad' : ''),
    card(n.solved, 'solved the task'),
    ...(data.pilot.length ? [card(data.pilot.length, 'pilot trials')] : []),
    card(fmtDuration(data.seconds), 'compute time'),
    card(data.models.length, 'model settings'),
    card(data.tasks.length, 'task settings'),
  ].join('');
  const body = empty
    ? `<h2 id="findings">No finished trials</h2><p>The study <code>${esc(data.name)}</code> has no finished trials in this database yet, so there is nothing to report. Trials are stored as they finish; run or resume the study and build the report again.</p>`
    : `<h2 id="findings">Findings</h2>\n${findingsSection(c.findings)}\n${checksSection(c.findings)}\n<h2 id="figures">Figures</h2>\n${figuresSection(c.figures, c.missing)}\n` +
      (c.tables.length ? `<h2 id="analysis">Analysis</h2>\n${c.tables.map(tableHtml).join('\n')}\n` : '') +
      `<h2 id="results">Results by model and task</h2>\n${tablesSection(data)}\n${problemsSection(data)}`;
  const nav = empty
    ? ''
    : `<nav><a href="#findings">Findings</a><a href="#figures">Figures</a>${c.figures.map((f) => `<a class="fig" href="#fig-${esc(f.id)}">${esc(f.short)}</a>`).join('')}${c.findings.some((f) => f.kind === 'check') ? '<a href="#checks">Checks</a>' : ''}${c.tables.length ? '<a href="#analysis">Analysis</a>' : ''}<a href="#results">Results</a>${n.diverged + n.failed ? '<a href="#problems">Diverged/failed</a>' : ''}</nav>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(c.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>${esc(c.title)}</h1>
<p class="sub">Study <code>${esc(data.name)}</code> · report generated ${esc(c.generated.toISOString().replace('T', ' ').slice(0, 16))} UTC</p>
${data.description ? `<p class="desc">${esc(data.description)}</p>` : ''}
<div class="cards">${cards}</div>
${nav}
</header>
${body}
<footer>Built by <code>recur report</code> from <code>${esc(c.source)}</code>. Static page: no scripts, no network access.</footer>
</main>
</body>
</html>
`;
}
