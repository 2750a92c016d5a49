/** A structural HTML check for the report tests: doctype, and every element we open closed in order. */
const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);

/** Problems found (empty when the page is well-formed). */
export function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  if (!/^<!DOCTYPE html>\n<html lang="[a-z]+">/.test(html)) problems.push('missing <!DOCTYPE html> and <html lang>');
  const body = html.replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  const stack: string[] = [];
  for (const m of body.matchAll(
    /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[^\s=>/]+(?:="[^"]*")?)*)\s*(\/?)>|<(?!!DOCTYPE)[^a-zA-Z/]/g,
  )) {
    if (m[2] === undefined) {
      problems.push(`stray "<" at ${m.index}`);
      continue;
    }
    const [, close, rawName, , selfClosing] = m;
    const name = rawName.toLowerCase();
    if (close) {
      const open = stack.pop();
      if (open !== name) {
        problems.push(`</${name}> closes <${open}> at ${m.index}`);
        break;
      }
    } else if (!selfClosing && !VOID.has(name)) stack.push(name);
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  for (const tag of ['head', 'title', 'body', 'main']) if (!html.includes(`<${tag}`)) problems.push(`no <${tag}>`);
  // sort arrows promise a table that sorts: only with a script that does it (issue 12)
  if (/[▲▼]/.test(body) && !html.includes('<script')) problems.push('sort arrows (▲▼) but no script sorts the tables');
  return problems;
}
