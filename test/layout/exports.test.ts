// Every export of src/ has a reader. An export nothing imports is code no one runs or a door no one
// uses, and it hides the ones that are used: a reader of the file must ask who calls it, and the
// answer is nobody. An index.ts only wires (STYLE.md), so a name it re-exports that no one imports
// through it is wiring to nowhere. This reads every import, re-export and dynamic import of src/,
// test/, bench/, scripts/ and bin/ with TypeScript's own parser and names, per src/ file, the
// exported names no one imports. Tests are readers too: an export only a test imports stays.
// bin/ imports the built files (`../dist/cli/main.js`), which count as their sources in src/.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const READERS = ["src", "test", "bench", "scripts", "bin"];

/**
 * Exports kept although nothing in the tree imports them, `file: name` → why. A name belongs here
 * only if something outside the tree reads it; bin/ is read like any other folder, so the
 * command's entry point needs no place here. The test fails when an entry is no longer needed.
 */
const ENTRY_POINTS: Record<string, string> = {};

/** Stands for "every name": `import * as` and `import("…")` may read them all. */
const ALL = "*";

interface Scan {
  /** src/ file → the names it exports, and whether each is a re-export (`export … from`). */
  exports: Map<string, Map<string, { reexport: boolean }>>;
  /** src/ file → the names other files import from it. */
  used: Map<string, Set<string>>;
}

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** The src/ file a relative specifier names (`dist/….js` as its `src/….ts`); undefined for packages and the rest. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  let path = join(dirname(from), specifier);
  if (path.startsWith("dist/")) path = `src/${path.slice("dist/".length)}`;
  path = path.replace(/\.js$/, ".ts");
  return path.startsWith("src/") ? path : undefined;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === kind);
}

/** Names each src/ file exports and which names each file imports from src/; paths relative to the root. */
function scan(files: ReadonlyMap<string, string>): Scan {
  const exports = new Map<string, Map<string, { reexport: boolean }>>();
  const used = new Map<string, Set<string>>();
  const use = (target: string | undefined, name: string) => {
    if (target !== undefined) used.set(target, (used.get(target) ?? new Set()).add(name));
  };
  const stars: { index: string; target: string }[] = [];

  for (const [path, text] of files) {
    const kind = path.endsWith(".ts") ? ts.ScriptKind.TS : ts.ScriptKind.JS;
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, kind);
    const exported = new Map<string, { reexport: boolean }>();

    for (const statement of source.statements) {
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
        const target = resolveSpecifier(path, statement.moduleSpecifier.text);
        const clause = statement.importClause;
        if (clause === undefined) continue; // `import "./x.ts"` runs the file and names nothing
        if (clause.name) use(target, "default");
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) use(target, ALL);
        if (bindings && ts.isNamedImports(bindings)) {
          for (const element of bindings.elements) use(target, (element.propertyName ?? element.name).text);
        }
      } else if (ts.isExportDeclaration(statement)) {
        const from = statement.moduleSpecifier;
        const target = from && ts.isStringLiteral(from) ? resolveSpecifier(path, from.text) : undefined;
        const clause = statement.exportClause;
        if (clause === undefined) {
          // `export * from`: the names pass through unnamed; they are counted once every file is read.
          if (target !== undefined) stars.push({ index: path, target });
        } else if (ts.isNamespaceExport(clause)) {
          use(target, ALL);
          exported.set(clause.name.text, { reexport: true });
        } else {
          for (const element of clause.elements) {
            if (from) use(target, (element.propertyName ?? element.name).text);
            exported.set(element.name.text, { reexport: from !== undefined });
          }
        }
      } else if (ts.isExportAssignment(statement)) {
        exported.set("default", { reexport: false });
      } else if (hasModifier(statement, ts.SyntaxKind.ExportKeyword)) {
        if (hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) exported.set("default", { reexport: false });
        else if (ts.isVariableStatement(statement)) {
          for (const declaration of statement.declarationList.declarations) {
            if (ts.isIdentifier(declaration.name)) exported.set(declaration.name.text, { reexport: false });
          }
        } else {
          const name = (statement as ts.DeclarationStatement).name;
          if (name && ts.isIdentifier(name)) exported.set(name.text, { reexport: false });
        }
      }
    }

    // `import("…")` anywhere, with a literal specifier: the caller may read any name of the module.
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [specifier] = node.arguments;
        if (specifier && ts.isStringLiteralLike(specifier)) use(resolveSpecifier(path, specifier.text), ALL);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);

    if (path.startsWith("src/") && path.endsWith(".ts")) exports.set(path, exported);
  }

  // Each name of `export * from "./t.ts"` is the index's re-export, used on t.ts when someone
  // imports it through the index. Until nothing changes, for stars of stars.
  for (let changed = true; changed; ) {
    changed = false;
    for (const { index, target } of stars) {
      const through = exports.get(index);
      for (const name of exports.get(target)?.keys() ?? []) {
        if (name === "default" || through === undefined) continue;
        if (!through.has(name)) {
          through.set(name, { reexport: true });
          changed = true;
        }
        const readers = used.get(index);
        if ((readers?.has(name) || readers?.has(ALL)) && !used.get(target)?.has(name)) {
          use(target, name);
          changed = true;
        }
      }
    }
  }
  return { exports, used };
}

/** `file: name` of every export no one imports, each re-export marked as such. */
function unusedExports({ exports, used }: Scan): string[] {
  const unused: string[] = [];
  for (const [file, names] of exports) {
    const readers = used.get(file) ?? new Set<string>();
    if (readers.has(ALL)) continue;
    for (const [name, { reexport }] of names) {
      if (!readers.has(name)) unused.push(`${file}: ${name}${reexport ? " (re-exported; no one imports it through this file)" : ""}`);
    }
  }
  return unused;
}

function readTree(): Map<string, string> {
  const files = READERS.flatMap((folder) => filesUnder(join(ROOT, folder)));
  return new Map(files.map((file) => [relative(ROOT, file), readFileSync(file, "utf8")]));
}

test("every export of src/ is imported by something in the tree", () => {
  const scanned = scan(readTree());
  assert.ok(scanned.exports.size > 100, `read only ${scanned.exports.size} files of src/`);
  const unused = unusedExports(scanned);
  const allowed = new Set(Object.keys(ENTRY_POINTS));
  assert.deepEqual(
    unused.filter((key) => !allowed.has(key)),
    [],
    "drop the `export` (only its own file uses it) or the code (nothing does); in an index.ts, drop the re-export",
  );
  assert.deepEqual([...allowed].filter((key) => !unused.includes(key)), [], "these ENTRY_POINTS are imported now, or gone: take them off");
});

test("the scan counts every way of importing, and finds what no one imports", () => {
  const files = new Map([
    ["src/a/index.ts", `export { used, unusedThroughIndex } from "./a.ts";\nexport type { Shape } from "./a.ts";`],
    ["src/a/a.ts", [
      `export function used() {}`,
      `export function unusedThroughIndex() {}`,
      `export const imported = 1, neverImported = 2;`,
      `export interface Shape { x: number }`,
      `export type Alias = string;`,
      `export class Direct {}`,
      `export default function () {}`,
    ].join("\n")],
    ["src/b/star.ts", `export const anything = 1;`],
    ["src/c/index.ts", `export * from "./types.ts";`],
    ["src/c/types.ts", `export type Wanted = 1;\nexport type Unwanted = 2;`],
    ["src/b/dynamic.ts", `export const loaded = 1;`],
    ["src/b/main.ts", `export function main() {}`],
    ["src/b/b.ts", [
      `import { used, type Shape } from "../a/index.ts";`,
      `import def, { imported as renamed, type Alias } from "../a/a.ts";`,
      `import * as star from "./star.ts";`,
      `// import { Direct } from "../a/a.ts";`,
      `const m = await import("./dynamic.ts");`,
      `import type { Wanted } from "../c/index.ts";`,
    ].join("\n")],
    ["bin/cli.js", `import { main } from "../dist/b/main.js";`],
  ]);
  assert.deepEqual(unusedExports(scan(files)).sort(), [
    "src/a/a.ts: Direct",
    "src/a/a.ts: neverImported",
    "src/a/index.ts: unusedThroughIndex (re-exported; no one imports it through this file)",
    "src/c/index.ts: Unwanted (re-exported; no one imports it through this file)",
    "src/c/types.ts: Unwanted",
  ]);
});
