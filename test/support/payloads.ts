import { readFileSync } from "node:fs";

/** The exact bytes of a fixture payload in test/fixtures/payloads/ (provenance in its SOURCES.md). */
export function payload(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/payloads/${name}`, import.meta.url));
}
