// `repo add` edits the config file as a person would: it inserts the new lines where they belong
// and leaves every other byte alone, comments and spacing included. The `yaml` package finds the
// place (each node's source range); re-serialising the whole document would restyle the file.

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap, type YAMLSeq } from "yaml";
import { ConfigError } from "../errors.ts";
import type { EventKind, ForgeName } from "../types.ts";

/** One job as `repo add` writes it. */
export interface NewJob {
  job: string;
  events: readonly EventKind[];
  branches?: readonly string[];
}

/** A repository entry as `repo add` writes it; `secretFile` is the `{ file: … }` reference. */
interface NewRepository {
  repo: string;
  forge: ForgeName;
  secretFile: string;
  jobs: readonly NewJob[];
}

/** The text with `entry` appended to `repositories:` (created at the end when there is none). */
export function insertRepository(text: string, file: string, entry: NewRepository): string {
  const { doc, lines } = parse(text, file);
  const node = doc.get("repositories", true) as Node | null | undefined;
  if (node === undefined) return `${withFinalNewline(text)}repositories:\n${repositoryLines(entry, "  ", "    ")}`;
  const empty = node === null || (isScalar(node) && (node.value === null || node.value === "")) || (isSeq(node) && node.items.length === 0);
  if (empty) {
    // `repositories:` or `repositories: []`: the list starts on the line after the key.
    const [start, end] = node?.range ?? [text.length, text.length];
    const after = text.slice(end);
    return `${text.slice(0, start).replace(/[ \t]*$/, "")}\n${repositoryLines(entry, "  ", "    ").replace(/\n$/, "")}${after.startsWith("\n") ? "" : "\n"}${after}`;
  }
  if (!isSeq(node)) throw problemAt(file, lines, node, "repositories is not a list: add the repository by hand");
  return appendItem(text, file, lines, node, (dash, content) => repositoryLines(entry, dash, content));
}

/** The text with `jobs` appended to the `jobs:` list of the `index`th repository. */
export function insertJobs(text: string, file: string, index: number, jobs: readonly NewJob[]): string {
  const { doc, lines } = parse(text, file);
  const entry = doc.getIn(["repositories", index], true) as Node | undefined;
  if (!isMap(entry)) throw new ConfigError([{ file, line: 1, col: 1, message: `repositories.${index} is not a repository entry` }]);
  const list = (entry as YAMLMap).get("jobs", true) as Node | undefined;
  if (!isSeq(list) || list.flow === true || list.items.length === 0) {
    throw problemAt(file, lines, list ?? entry, `repositories.${index}.jobs is not a block list ("- job: …" lines): add the job there by hand`);
  }
  return appendItem(text, file, lines, list, (dash, content) => jobs.map((job) => jobLines(job, dash, content)).join(""));
}

function parse(text: string, file: string) {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: true });
  if (doc.errors.length > 0) throw new ConfigError([{ file, line: 1, col: 1, message: `the config does not parse: ${doc.errors[0]?.message.split("\n")[0] ?? ""}` }]);
  return { doc, lines };
}

/** Appends lines after a block list's last item, with the same indentation as its items. */
function appendItem(text: string, file: string, lines: LineCounter, list: YAMLSeq, render: (dash: string, content: string) => string): string {
  if (list.flow === true) throw problemAt(file, lines, list, "this list is written [a, b]: add the entry by hand");
  const last = list.items.at(-1) as Node | undefined;
  const first = list.items[0] as Node | undefined;
  if (last?.range === undefined || last.range === null || first?.range === undefined || first.range === null) {
    throw problemAt(file, lines, list, "cannot find where this list's items are");
  }
  const itemStart = first.range[0];
  const lineStart = text.lastIndexOf("\n", itemStart - 1) + 1;
  const dashAt = text.lastIndexOf("-", itemStart - 1);
  if (dashAt < lineStart) throw problemAt(file, lines, first, "a list item that does not start its line: add the entry by hand");
  const dash = " ".repeat(dashAt - lineStart);
  const content = " ".repeat(itemStart - lineStart);
  // The item's value ends after its last line (its trailing comments and blank lines stay after ours).
  const at = last.range[1];
  const head = text.slice(0, at);
  return `${withFinalNewline(head)}${render(dash, content)}${text.slice(at)}`;
}

function repositoryLines(entry: NewRepository, dash: string, content: string): string {
  const jobs = entry.jobs.map((job) => jobLines(job, `${content}  `, `${content}    `)).join("");
  return `${dash}- repo: ${scalar(entry.repo)}\n`
    + `${content}forge: ${entry.forge}\n`
    + `${content}secret: { file: ${scalar(entry.secretFile)} }\n`
    + `${content}jobs:\n${jobs}`;
}

function jobLines(job: NewJob, dash: string, content: string): string {
  return `${dash}- job: ${scalar(job.job)}\n`
    + `${content}events: [${job.events.join(", ")}]\n`
    + (job.branches === undefined ? "" : `${content}branches: [${job.branches.map(scalar).join(", ")}]\n`);
}

/** A plain scalar when YAML reads it back as the same string; else double-quoted (JSON is valid YAML). */
export function scalar(value: string): string {
  const plain = /^[A-Za-z0-9_.][A-Za-z0-9_./-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|~|[-+.0-9eE_x]+)$/i.test(value);
  return plain ? value : JSON.stringify(value);
}

function withFinalNewline(text: string): string {
  return text === "" || text.endsWith("\n") ? text : `${text}\n`;
}

function problemAt(file: string, lines: LineCounter, node: Node, message: string): ConfigError {
  const { line, col } = lines.linePos(node.range?.[0] ?? 0);
  return new ConfigError([{ file, line, col, message }]);
}
