/**
 * A diff of a config edit that only inserts lines: each run of new lines with `+`, under the line
 * number where it goes, and a line of context before it.
 */
export function describeEdit(file: string, before: string, after: string): string {
  if (before === after) return `${file}: unchanged`;
  const old = before.split("\n");
  const now = after.split("\n");
  const out = [`--- ${file}`, `+++ ${file}`];
  let i = 0;
  for (let j = 0; j < now.length; ) {
    if (i < old.length && now[j] === old[i]) {
      i += 1;
      j += 1;
      continue;
    }
    const start = j;
    while (j < now.length && !(i < old.length && now[j] === old[i])) j += 1;
    out.push(`@@ line ${start + 1} @@`);
    if (start > 0) out.push(` ${now[start - 1] ?? ""}`);
    out.push(...now.slice(start, j).map((line) => `+${line}`));
  }
  return out.join("\n");
}
