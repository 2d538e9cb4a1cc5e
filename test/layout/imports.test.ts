// The layout of src/ as DESIGN.md draws it: floors, highest first, and a folder imports only
// folders on floors below its own. A cycle between two folders (journal ↔ laminar, http ↔ ui) means
// neither can be read, tested or changed without the other; an import that goes up a floor (report
// importing cli, journal importing dispatch) turns the layering upside down, even where it closes no
// cycle yet. This reads every file's relative imports with TypeScript's own parser, so comments and
// strings that look like imports do not count, and `import type` does.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/**
 * Edges allowed although they go up a floor. Each holds only while
 * the import is type-only and its target imports nothing of src/ (so no module cycle can pass
 * through it); the test checks both, and counts the edge like any other once either stops holding.
 */
const ALLOWED: Record<string, string> = {
  // Config's types need these two; moving Secret and Cidr out of config would move 20 importers for no gain.
  "types.ts -> config/secret.ts": "type-only, of a file with no imports from src/",
  "types.ts -> config/cidr.ts": "type-only, of a file with no imports from src/",
};

/**
 * The floors of src/, highest first, as DESIGN.md's Layout draws them. Folders on one floor are
 * siblings: neither imports the other. A new folder must be given its floor here.
 */
const FLOORS: readonly (readonly string[])[] = [
  ["cli"],
  ["start-service.ts"],
  ["catch-up"],
  ["report"],
  ["dispatch", "ui"],
  ["http", "laminar"],
  ["observe"],
  ["receive"],
  ["routing"],
  ["forges", "journal"],
  ["config", "backoff.ts"],
  ["types.ts", "errors.ts"],
];

interface Import {
  from: string; // path below src/
  to: string;
  typeOnly: boolean;
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every relative import, export-from and dynamic import of one file, and whether it is type-only. */
function importsOf(file: string, text: string): Import[] {
  const typeOnly = new Map<string, boolean>();
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const only = statement.importClause?.isTypeOnly ?? false;
      typeOnly.set(statement.moduleSpecifier.text, (typeOnly.get(statement.moduleSpecifier.text) ?? true) && only);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      typeOnly.set(statement.moduleSpecifier.text, (typeOnly.get(statement.moduleSpecifier.text) ?? true) && statement.isTypeOnly);
    }
  }
  // preProcessFile also finds `import("…")` and `import x = require("…")`, which are never type-only here.
  const specifiers = ts.preProcessFile(text, true, true).importedFiles.map((imported) => imported.fileName);
  return [...new Set(specifiers)]
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => ({
      from: relative(SRC, file),
      to: relative(SRC, resolve(dirname(file), specifier)),
      typeOnly: typeOnly.get(specifier) ?? false,
    }));
}

/** `laminar/follow-runs.ts` → `laminar`; a file at the top of src/ is its own node: `types.ts`. */
function nodeOf(path: string): string {
  return path.split("/")[0]!;
}

let graph: { edges: Map<string, Import[]>; imports: Import[] } | undefined;

/** Read once for all the tests of this file. */
function readGraph(): { edges: Map<string, Import[]>; imports: Import[] } {
  graph ??= scanGraph();
  return graph;
}

function scanGraph(): { edges: Map<string, Import[]>; imports: Import[] } {
  const files = sourceFiles(SRC);
  const imports = files.flatMap((file) => importsOf(file, readFileSync(file, "utf8")));
  const importsFrom = new Map<string, Import[]>();
  for (const imported of imports) importsFrom.set(imported.from, [...(importsFrom.get(imported.from) ?? []), imported]);
  const isLeaf = (path: string) => (importsFrom.get(path) ?? []).length === 0;

  const edges = new Map<string, Import[]>();
  for (const imported of imports) {
    const from = nodeOf(imported.from);
    const to = nodeOf(imported.to);
    if (from === to) continue;
    const allowed = `${imported.from} -> ${imported.to}` in ALLOWED && imported.typeOnly && isLeaf(imported.to);
    if (allowed) continue;
    const key = `${from} -> ${to}`;
    edges.set(key, [...(edges.get(key) ?? []), imported]);
  }
  return { edges, imports };
}

/** The strongly connected groups of more than one node (Tarjan): each is a cycle between folders. */
function cycles(edges: Map<string, Import[]>): string[][] {
  const next = new Map<string, string[]>();
  for (const key of edges.keys()) {
    const [from, to] = key.split(" -> ") as [string, string];
    next.set(from, [...(next.get(from) ?? []), to]);
    if (!next.has(to)) next.set(to, []);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== node);
    if (group.length > 1) found.push(group.sort());
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** The file-level imports behind the edges inside one cycle, for the failure message. */
function describe(group: string[], edges: Map<string, Import[]>): string {
  const lines = [...edges].filter(([key]) => key.split(" -> ").every((node) => group.includes(node)));
  return lines.map(([key, list]) => `  ${key}:\n${list.map((i) => `    src/${i.from} imports src/${i.to}`).join("\n")}`).join("\n");
}

test("the folders of src/ import one another one way: no cycle between them", () => {
  const { edges } = readGraph();
  const found = cycles(edges);
  const message = found.map((group) => `cycle between ${group.join(", ")}:\n${describe(group, edges)}`).join("\n");
  assert.deepEqual(found, [], `imports between src/ folders must go one way:\n${message}`);
});

/** The imports that do not go down a floor: up, sideways between siblings, or from a folder with no floor. */
function againstTheFloors(edges: Map<string, Import[]>, floors: readonly (readonly string[])[]): string[] {
  const floorOf = new Map(floors.flatMap((names, level) => names.map((name) => [name, level] as const)));
  return [...edges.keys()].filter((key) => {
    const [from, to] = key.split(" -> ") as [string, string];
    const fromFloor = floorOf.get(from);
    const toFloor = floorOf.get(to);
    return fromFloor === undefined || toFloor === undefined || toFloor <= fromFloor;
  });
}

test("every import between src/ folders goes down a floor", () => {
  const { edges } = readGraph();
  const wrong = againstTheFloors(edges, FLOORS);
  const message = wrong.flatMap((key) => (edges.get(key) ?? []).map((i) => `  src/${i.from} imports src/${i.to}`)).join("\n");
  assert.deepEqual(wrong, [], `imports must go down the floors of test/layout/imports.test.ts (DESIGN.md, Layout):\n${message}`);
});

test("every folder and top-level file of src/ has a floor", () => {
  const named = new Set(FLOORS.flat());
  const present = readdirSync(SRC, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || entry.name.endsWith(".ts"))
    .map((entry) => entry.name);
  assert.deepEqual(present.filter((name) => !named.has(name)), [], "give each new folder its floor in FLOORS");
});

test("the checks fail where they must: a cycle, an import up a floor, one between siblings", () => {
  const edgesOf = (...keys: string[]) => new Map(keys.map((key) => [key, [] as Import[]]));
  assert.deepEqual(cycles(edgesOf("a -> b", "b -> c", "c -> a", "c -> d")), [["a", "b", "c"]]);
  assert.deepEqual(cycles(edgesOf("a -> b", "b -> c", "a -> c")), []);
  const floors = [["top"], ["left", "right"], ["ground"]];
  assert.deepEqual(againstTheFloors(edgesOf("top -> ground", "left -> ground"), floors), []);
  assert.deepEqual(againstTheFloors(edgesOf("ground -> top"), floors), ["ground -> top"]);
  assert.deepEqual(againstTheFloors(edgesOf("left -> right"), floors), ["left -> right"]);
  assert.deepEqual(againstTheFloors(edgesOf("top -> nowhere"), floors), ["top -> nowhere"]);
});

test("the scan sees what it must: type-only imports, export-from, dynamic imports; not comments", () => {
  const text = [
    `import type { A } from "./a.ts";`,
    `import { B, type C } from "../b/b.ts";`,
    `export { D } from "./d.ts";`,
    `export type { E } from "./e.ts";`,
    `const f = await import("./f.ts");`,
    `// import { G } from "./g.ts";`,
    `import { H } from "node:fs";`,
  ].join("\n");
  const found = importsOf(join(SRC, "x/y.ts"), text).map((i) => `${i.to}${i.typeOnly ? " (type)" : ""}`);
  assert.deepEqual(found.sort(), ["b/b.ts", "x/a.ts (type)", "x/d.ts", "x/e.ts (type)", "x/f.ts"]);
});

test("the allowed edges still hold: type-only, of files that import nothing of src/", () => {
  const { imports } = readGraph();
  for (const edge of Object.keys(ALLOWED)) {
    const [from, to] = edge.split(" -> ") as [string, string];
    const found = imports.find((i) => i.from === from && i.to === to);
    if (!found) continue; // gone: nothing to allow any more
    assert.ok(found.typeOnly, `${edge} must stay \`import type\``);
    const ofTarget = imports.filter((i) => i.from === to);
    assert.deepEqual(ofTarget.map((i) => i.to), [], `${to} must import nothing of src/ for ${edge} to be allowed`);
  }
});
