// Turns a path into the YAML document (`repositories.0.jobs.1.job`) into the line and column a
// person can jump to. Problems found after parsing (by zod or by our own checks) only know the
// path; the YAML nodes know where they stood in the file.

import { isMap, isNode, isPair, isScalar, type Document, type LineCounter } from "yaml";

export type DocPath = readonly (string | number | symbol)[];

interface Position {
  line: number;
  col: number;
}

/** Position of the node at `path`, or of its nearest existing ancestor; `key: true` points at the key. */
export function locate(doc: Document, lineCounter: LineCounter, path: DocPath, options: { key?: boolean } = {}): Position {
  const keys = path.filter((part): part is string | number => typeof part !== "symbol");
  for (let depth = keys.length; depth >= 0; depth--) {
    const parentPath = keys.slice(0, Math.max(0, depth - 1));
    const last = keys[depth - 1];
    // Prefer the key of a map entry: `branchs:` is where the eye should land.
    if ((options.key || depth < keys.length) && last !== undefined) {
      const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === last);
        if (pair && isNode(pair.key) && pair.key.range) return lineCounter.linePos(pair.key.range[0]);
      }
    }
    const node = depth === 0 ? doc.contents : doc.getIn(keys.slice(0, depth), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

/**
 * The position of `needle` inside the scalar at `path` (a placeholder in a `params` value), found
 * in the file's own text so that quotes and block scalars count; the scalar's start when the text
 * is spelled differently in the file (escapes).
 */
export function locateText(
  doc: Document, lineCounter: LineCounter, source: string, path: DocPath, needle: string, offset = 0,
): Position {
  const keys = path.filter((part): part is string | number => typeof part !== "symbol");
  const node = doc.getIn(keys, true);
  if (isScalar(node) && node.range) {
    const index = source.slice(node.range[0], node.range[1]).indexOf(needle);
    if (index !== -1) return lineCounter.linePos(node.range[0] + index + offset);
  }
  return locate(doc, lineCounter, path);
}
