// The docs a newcomer reads: every relative link and anchor leads somewhere, every page is reachable
// from the README, and docs/configuration.md lists exactly the keys the config's schema has, so the
// reference cannot drift from the code that reads the file.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import GithubSlugger from "github-slugger";
import { z } from "zod";
import { configSchema } from "../../src/config/schema.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PAGES = [
  "README.md",
  ...readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`),
  "bench/README.md",
];

/** A page's text without its fenced code blocks, where `#` and `[x](y)` are not markdown. */
function prose(page: string): string {
  return readFileSync(join(ROOT, page), "utf8").replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "");
}

/** The anchors GitHub gives a page's headings (its own slugger, duplicates numbered). */
function anchorsOf(page: string): Set<string> {
  const slugger = new GithubSlugger();
  const headings = [...prose(page).matchAll(/^#{1,6} (.+)$/gm)].map((match) => match[1]!.trim());
  return new Set(headings.map((heading) => slugger.slug(heading.replace(/`/g, ""))));
}

/** Every link target of a page: markdown links and images, and HTML `src`/`href` attributes. */
function linksOf(page: string): string[] {
  const text = prose(page).replace(/`[^`\n]*`/g, "");
  const markdown = [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]!);
  const html = [...text.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
  return [...markdown, ...html];
}

/** What is wrong with one relative link of a page, or undefined. */
function brokenLink(page: string, link: string): string | undefined {
  if (/^[a-z]+:/i.test(link)) return undefined; // https:, mailto:: not ours to check here
  const [path = "", anchor] = link.split("#", 2);
  const target = path === "" ? page : relative(ROOT, resolve(ROOT, dirname(page), decodeURI(path)));
  if (target.startsWith("..") || !existsSync(join(ROOT, target))) return `${link}: no file ${target}`;
  if (anchor === undefined) return undefined;
  if (!target.endsWith(".md") || statSync(join(ROOT, target)).isDirectory()) return `${link}: an anchor into a file that is not a page`;
  return anchorsOf(target).has(anchor) ? undefined : `${link}: ${target} has no heading #${anchor}`;
}

test("every relative link and anchor of the README and docs/ leads somewhere", () => {
  const broken = PAGES.flatMap((page) => linksOf(page).flatMap((link) => {
    const problem = brokenLink(page, link);
    return problem === undefined ? [] : [`${page}: ${problem}`];
  }));
  assert.deepEqual(broken, []);
});

test("the link check fails where it must", () => {
  assert.match(brokenLink("README.md", "docs/no-such-page.md") ?? "", /no file/);
  assert.match(brokenLink("README.md", "docs/configuration.md#no-such-heading") ?? "", /no heading/);
  assert.equal(brokenLink("docs/configuration.md", "#every-key"), undefined);
  assert.equal(brokenLink("docs/forges.md", "how-it-works.md#following-runs-to-their-end-laminarhttp"), undefined);
  assert.equal(brokenLink("docs/forges.md", "https://example.com/nowhere"), undefined);
});

test("every page of docs/ is linked from the README", () => {
  const linked = new Set(linksOf("README.md").map((link) => link.split("#")[0]));
  const pages = PAGES.filter((page) => page.startsWith("docs/"));
  assert.deepEqual(pages.filter((page) => !linked.has(page)), []);
});

/** The dotted keys of a JSON schema: `server.listen`, `forges.NAME.api`, `repositories[].jobs[].job`. */
function keysOf(schema: Record<string, unknown>, path = ""): string[] {
  const keys: string[] = [];
  const at = (key: string) => (path === "" ? key : `${path}.${key}`);
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [key, value] of Object.entries(properties ?? {})) keys.push(at(key), ...keysOf(value, at(key)));
  if (schema.propertyNames !== undefined && typeof schema.additionalProperties === "object") {
    keys.push(...keysOf(schema.additionalProperties as Record<string, unknown>, `${path}.NAME`));
  }
  if (typeof schema.items === "object") keys.push(...keysOf(schema.items as Record<string, unknown>, `${path}[]`));
  for (const alternative of [...(schema.anyOf as [] ?? []), ...(schema.oneOf as [] ?? []), ...(schema.allOf as [] ?? [])]) {
    keys.push(...keysOf(alternative, path));
  }
  return keys;
}

/** The schema's keys, less the forms of a secret (`{ env }`, `{ file }`), which the page explains once. */
function schemaKeys(): string[] {
  const json = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return [...new Set(keysOf(json))].filter((key) => !/\.(env|file)$/.test(key)).sort();
}

test("docs/configuration.md lists every key of the config's schema, and no other", () => {
  const page = prose("docs/configuration.md");
  const table = page.slice(page.indexOf("## Every key"));
  const documented = [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]!).sort();
  const keys = schemaKeys();
  assert.ok(keys.includes("repositories[].jobs[].params") && keys.includes("forges.NAME.api"), "the schema walk reaches nested keys");
  assert.deepEqual(
    { missing: keys.filter((key) => !documented.includes(key)), unknown: documented.filter((key) => !keys.includes(key)) },
    { missing: [], unknown: [] },
  );
});
