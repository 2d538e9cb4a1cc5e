// WalSync (src/journal/wal-sync.ts) on a real WAL file, with an fdatasync the test holds: one sync
// serves every commit made before it started, and a commit made during one gets exactly one more.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { setImmediate } from "node:timers/promises";
import { JournalUnavailableError } from "../../src/errors.ts";
import { WalSync } from "../../src/journal/wal-sync.ts";
import { tempDir } from "./journal-fixtures.ts";

/** Each call waits until the test releases it; `calls` says how many were made. */
function heldFdatasync() {
  const waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  let called: () => void = () => {};
  return {
    sync: (_fd: number) => new Promise<void>((resolve, reject) => {
      waiting.push({ resolve, reject });
      called();
    }),
    calls: () => waiting.length,
    /** Resolves once the n-th call has been made. */
    async called(n: number) {
      while (waiting.length < n) await new Promise<void>((resolve) => (called = resolve));
    },
    release: (n: number) => waiting[n - 1]?.resolve(),
    fail: (n: number, error: Error) => waiting[n - 1]?.reject(error),
  };
}

function walFile(t: Parameters<typeof tempDir>[0]): string {
  const database = join(tempDir(t), "journal.db");
  writeFileSync(`${database}-wal`, "frames");
  return database;
}

test("syncs asked for during a running sync share exactly one more, started after it", async (t) => {
  const held = heldFdatasync();
  const wal = new WalSync(walFile(t), held.sync);
  const settled: string[] = [];
  const first = wal.sync().then(() => void settled.push("first"));
  await held.called(1);
  const second = wal.sync().then(() => void settled.push("second"));
  const third = wal.sync().then(() => void settled.push("third"));
  await setImmediate();
  assert.equal(held.calls(), 1, "no second fdatasync while the first runs");

  held.release(1);
  await first;
  await held.called(2);
  assert.deepEqual(settled, ["first"], "the later commits wait for the sync that started after them");
  held.release(2);
  await Promise.all([second, third]);
  assert.equal(held.calls(), 2);
  await wal.close();
});

test("a failed fdatasync is JournalUnavailableError for those waiting; after close() a sync is refused", async (t) => {
  const held = heldFdatasync();
  const wal = new WalSync(walFile(t), held.sync);
  const waiting = wal.sync();
  await held.called(1);
  held.fail(1, Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
  await assert.rejects(waiting, (error: unknown) => error instanceof JournalUnavailableError && (error.cause as Error).message.includes("EIO"));
  await wal.close();
  await assert.rejects(wal.sync(), JournalUnavailableError);
});

test("without a WAL file to open, a sync is JournalUnavailableError", async (t) => {
  const wal = new WalSync(join(tempDir(t), "missing.db"));
  await assert.rejects(wal.sync(), JournalUnavailableError);
  await wal.close();
});
