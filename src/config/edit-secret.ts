// `repo rotate-secret` edits one repository's `secret:` in place: a second secret joins the first as
// a flow list (`[old, new]`: any verifies, the hook gets the last), and `--finish` keeps the last.
// Only the secret's own text changes; every other byte of the file stays.

import { isMap, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from "yaml";
import { ConfigError } from "../errors.ts";

/**
 * `repositories[index].secret` becomes `[OLD, NEW]`. A repository without its own secret gets the
 * line `secret: [FORGE'S, NEW]` (its forge's secret keeps verifying). `newRef` is YAML flow text.
 */
export function addSecret(text: string, file: string, index: number, newRef: string, forge: string): string {
  const { doc, lines } = parse(text, file);
  const entry = doc.getIn(["repositories", index], true) as Node | undefined;
  if (!isMap(entry)) throw located(file, lines, entry, `repositories.${index} is not a repository entry`);
  const secret = (entry as YAMLMap).get("secret", true) as Node | undefined;
  if (secret === undefined) {
    const forgeSecret = doc.getIn(["forges", forge, "secret"], true) as Node | undefined;
    if (forgeSecret === undefined) throw located(file, lines, entry, `repositories.${index} has no secret, and forges.${forge} neither: there is nothing to rotate`);
    const old = isSeq(forgeSecret) ? (forgeSecret.items.at(-1) as Node) : forgeSecret;
    return insertKey(text, file, lines, entry as YAMLMap, `secret: [${oneLine(text, file, lines, old)}, ${newRef}]`);
  }
  if (isSeq(secret)) {
    throw located(file, lines, secret, `repositories.${index}.secret is a list already (a rotation is under way): finish it with --finish first`);
  }
  const [start, end] = secret.range!;
  return `${text.slice(0, start)}[${oneLine(text, file, lines, secret)}, ${newRef}]${text.slice(end)}`;
}

/** `repositories[index].secret`, a list, keeps only its last entry; the texts of the ones dropped come back (to name their files). */
export function keepLastSecret(text: string, file: string, index: number): { text: string; dropped: string[] } {
  const { doc, lines } = parse(text, file);
  const secret = doc.getIn(["repositories", index, "secret"], true) as Node | undefined;
  if (!isSeq(secret) || secret.items.length < 2) {
    throw located(file, lines, secret ?? (doc.getIn(["repositories", index], true) as Node | undefined), `repositories.${index}.secret is not a list of two or more: no rotation to finish`);
  }
  const items = secret.items as Node[];
  const last = items.at(-1)!;
  const [start, end] = secret.range!;
  const kept = oneLine(text, file, lines, last);
  // A block list ("- …" lines) ends after its last line: the kept entry takes the first one's place.
  const rest = secret.flow === true ? text.slice(end) : `\n${text.slice(lineEnd(text, end))}`;
  return { text: `${text.slice(0, start)}${kept}${rest}`, dropped: items.slice(0, -1).map((item) => oneLine(text, file, lines, item)) };
}

function parse(text: string, file: string) {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true });
  if (doc.errors.length > 0) throw new ConfigError([{ file, line: 1, col: 1, message: `the config does not parse: ${doc.errors[0]?.message.split("\n")[0] ?? ""}` }]);
  return { doc, lines };
}

/** A node's own source text, which must fit on one line to go into a flow list. */
function oneLine(text: string, file: string, lines: LineCounter, node: Node): string {
  const [start, end] = node.range!;
  const source = text.slice(start, end).trimEnd();
  if (source.includes("\n")) throw located(file, lines, node, "this secret spans lines: write it as { env: NAME } or { file: PATH } on one line, then rotate");
  return source;
}

/** A `key: value` line into a block map, after its first pair's line, at that pair's indentation. */
function insertKey(text: string, file: string, lines: LineCounter, map: YAMLMap, line: string): string {
  if (map.flow === true) throw located(file, lines, map, "this repository is written { … } on one line: add its secret by hand");
  const first = map.items[0]?.key as Node | undefined;
  const start = first?.range?.[0];
  if (start === undefined) throw located(file, lines, map, "cannot find where this repository's keys are");
  const indent = start - (text.lastIndexOf("\n", start - 1) + 1);
  const after = lineEnd(text, (map.items[0]?.value as Node | undefined)?.range?.[1] ?? start);
  return `${text.slice(0, after)}${" ".repeat(indent)}${line}\n${text.slice(after)}`;
}

/** The offset after the end of the line that `at` is on (or just after the line `at` ends). */
function lineEnd(text: string, at: number): number {
  if (at > 0 && text[at - 1] === "\n") return at;
  const newline = text.indexOf("\n", at);
  return newline < 0 ? text.length : newline + 1;
}

function located(file: string, lines: LineCounter, node: Node | undefined, message: string): ConfigError {
  const { line, col } = lines.linePos(node?.range?.[0] ?? 0);
  return new ConfigError([{ file, line, col, message }]);
}
