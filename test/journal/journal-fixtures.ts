// Inputs for the journal tests: a temp folder and a delivery as the HTTP layer would hand it over.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeliveryInput } from "../../src/journal/journal-types.ts";
import type { JobRequest } from "../../src/types.ts";

export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "journal-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function job(name: string, params: Record<string, string> = {}): JobRequest {
  return { job: name, params, host: "unix-abstract:laminar", reason: `GitHub push to sbrl/wiki master by sbrl (${name})` };
}

export function delivery(fields: Partial<DeliveryInput> = {}): DeliveryInput {
  return {
    forge: "github",
    deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    receivedAt: 1_700_000_000_000,
    forgeEvent: "push",
    kind: "push",
    repo: "sbrl/wiki",
    ref: "refs/heads/master",
    sender: "sbrl",
    remoteAddress: "192.0.2.7",
    headers: { "x-github-event": "push", "x-github-delivery": "72d3162e", "content-type": "application/json" },
    payload: '{"ref":"refs/heads/master"}',
    trace: [{ job: "wiki", matched: true, reason: "push to master matches master" }],
    jobs: [job("wiki", { rev: "3f2c1a9", branch: "master" })],
    ...fields,
  };
}

/**
 * How many transactions are in the WAL of the database at `path`: its commit frames, read from the
 * file itself (https://www.sqlite.org/fileformat.html#wal_file_format). Frames left over from before
 * the WAL was last restarted carry other salts and are not counted.
 */
export function walCommits(path: string): number {
  let wal: Buffer;
  try {
    wal = readFileSync(`${path}-wal`);
  } catch {
    return 0;
  }
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salts = wal.subarray(16, 24);
  let commits = 0;
  for (let frame = 32; frame + 24 + pageSize <= wal.length; frame += 24 + pageSize) {
    if (!wal.subarray(frame + 8, frame + 16).equals(salts)) break;
    if (wal.readUInt32BE(frame + 4) !== 0) commits += 1;
  }
  return commits;
}
