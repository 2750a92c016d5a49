/**
 * The Markdown summary: run summary, findings with their verdicts, links to the figure files, and a results
 * table per task. User strings are escaped for Markdown (inline HTML would otherwise render, and a `|`
 * would break a table row).
 */
import { isUntrained, type Group } from './data.js';
import type { ReportContent } from './html.js';
import { describeScore } from './html.js';
import { fmt, fmtDuration } from './stats.js';
import type { Table } from './tables.js';

/**
 * Escape text for one line of Markdown: HTML-significant characters as entities, Markdown syntax with
 * backslashes, and every control character (C0 — a lone \r, \t, \0 … —, DEL, C1, and the Unicode line and
 * paragraph separators) as a space, so that no user string can start a line of its own: a heading, a list
 * item, a table row. What would open a block at the start of the line (`-`, `+`, `=`, `1.`, indentation)
 * is escaped too, for strings placed alone on a line (a study's description).
 */
export function mdEscape(s: unknown): string {
  return (
    String(s)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/([\\`*_[\]|#~])/g, '\\$1')
      .replace(/\r\n/g, ' ')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
      .replace(/^ +/, '')
      // block openers only where they open a block: "- x", "+ x", a line of "=", "12. x" (not "-2" or "0.02")
      .replace(/^([-+])(?=\s|$)/, '\\$1')
      .replace(/^(=+)(?=\s*$)/, '\\$1')
      .replace(/^(\d+)([.)])(?=\s|$)/, '$1\\$2')
  );
}

const VERDICT_MARK = { held: '✅ held', 'did not hold': '❌ did not hold', inconclusive: '➖ inconclusive' } as const;
const CHECK_MARK = { held: '✅ passed', 'did not hold': '❌ failed', inconclusive: '➖ not checked' } as const;

/** An analysis table in Markdown; marked cells in bold. */
export function tableMarkdown(t: Table): string[] {
  const mark = new Set(t.marked.map(([r, c]) => `${r}:${c}`));
  return [
    `### ${mdEscape(t.title)}`,
    '',
    `_${mdEscape(t.note)}_`,
    '',
    `| ${t.head.map(mdEscape).join(' | ')} |`,
    `|${t.numeric.map((n) => (n ? '---:' : '---')).join('|')}|`,
    ...t.rows.map(
      (r, i) => `| ${r.map((c, j) => (mark.has(`${i}:${j}`) && c ? `**${mdEscape(c)}**` : mdEscape(c))).join(' | ')} |`,
    ),
    '',
  ];
}

function decay(e: Group['decayInit']): string {
  return e ? fmt(e.mean, 2) : '–';
}

/** The Markdown text; figures are linked as `<id>.svg` next to the Markdown file. */
export function renderMarkdown(c: ReportContent): string {
  const { data } = c;
  const n = data.counts;
  const lines: string[] = [`# ${mdEscape(c.title)}`, ''];
  if (data.description) lines.push(mdEscape(data.description), '');
  lines.push(
    `Study \`${data.name.replace(/`/g, "'")}\`: ${n.total} trials — ${n.done} done, ${n.diverged} diverged, ${n.failed} failed; ` +
      `${n.solved} solved their task${data.pilot.length ? ` (and ${data.pilot.length} learning-rate pilot trials)` : ''}; compute time ${fmtDuration(data.seconds)}. Full report with plots: [report.html](report.html).`,
    '',
  );
  if (n.total === 0) {
    lines.push('No finished trials yet: nothing to report. Run or resume the study, then build the report again.', '');
    return lines.join('\n');
  }
  lines.push('## Findings', '');
  const findings = c.findings.filter((f) => f.kind === 'finding'),
    checks = c.findings.filter((f) => f.kind === 'check');
  if (findings.length === 0) lines.push('No finding could be computed from these trials.', '');
  else {
    lines.push(
      `${findings.filter((f) => f.pHolm !== null).length} claims were tested and Holm-corrected together (family-wise α = 0.05): "held" needs the adjusted p ≤ 0.05, "did not hold" needs the 95% CI to exclude the predicted effect, anything else is "inconclusive". ` +
        'Each claim is tested at one sequence length (nothing is pooled over T), paired by seed; conditions that carry no information are not tested, and tests too small to reach p ≤ 0.05 stay out of the correction.',
      '',
    );
  }
  for (const f of findings)
    lines.push(`- **${VERDICT_MARK[f.verdict]}** — ${mdEscape(f.sentence)} _(${f.trials} trials, ${f.seeds} seeds)_`);
  if (checks.length) {
    lines.push(
      '',
      '## Checks',
      '',
      '_Inequalities and identities the mathematics guarantees: they test the instruments, not the question, and are not counted as findings._',
      '',
    );
    for (const f of checks)
      lines.push(`- **${CHECK_MARK[f.verdict]}** — ${mdEscape(f.sentence)} _(${f.trials} trials)_`);
  }
  const rules = [...new Set(c.findings.map((f) => f.rule))];
  if (rules.length)
    lines.push(
      '',
      '<details><summary>Verdict rules</summary>',
      '',
      ...rules.map((r) => `- ${mdEscape(r)}`),
      '',
      '</details>',
    );
  lines.push('', '## Figures', '');
  c.figures.forEach((f, i) => lines.push(`${i + 1}. [${mdEscape(f.title)}](${f.id}.svg)`));
  if (c.missing.length) lines.push('', `Not drawn: ${c.missing.map(mdEscape).join(' ')}`);
  if (c.tables.length) lines.push('', '## Analysis', '', ...c.tables.flatMap(tableMarkdown));
  lines.push('', '## Results', '');
  for (const name of [...new Set(data.tasks.map((t) => t.name))]) {
    lines.push(
      `### ${mdEscape(name)}`,
      '',
      `_${mdEscape(describeScore(data.tasks.filter((t) => t.name === name)))}_`,
      '',
    );
    lines.push(
      '| Model | Setting | Solved | Median steps to solve | Median final metric | Decay/step init | Decay/step end | Diverged | Failed |',
    );
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const g of data.groups.filter((x) => x.task.name === name)) {
      lines.push(
        `| ${mdEscape(g.model.label)} | ${mdEscape(g.task.axesLabel || '–')} | ${g.trials.every(isUntrained) ? 'not trained' : `${g.solved}/${g.trials.length}`} | ${fmt(g.stepsToSolve)} | ${fmt(g.finalMetric)} | ` +
          `${decay(g.decayInit)} | ${decay(g.decayEnd)} | ${g.diverged} | ${g.failed} |`,
      );
    }
    lines.push('');
  }
  const bad = data.trials.filter((v) => v.trial.status !== 'done');
  if (bad.length) {
    lines.push('## Diverged or failed', '');
    for (const v of bad)
      lines.push(
        `- ${mdEscape(v.trial.label)}: ${v.trial.status} at step ${v.trial.divergedAt ?? v.trial.steps}${v.trial.error ? ` — ${mdEscape(v.trial.error.slice(0, 300))}` : ''}`,
      );
    lines.push('');
  }
  return lines.join('\n');
}
