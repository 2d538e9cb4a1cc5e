// SIGTERM while deliveries stream in and every laminarc slot hangs (a frozen laminard): all of
// them are killed within the grace, nothing is orphaned, the process exits 0, and the next start
// queues everything, each delivery exactly once. test/cli/serve.test.ts covers one hung attempt
// without load.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { openJournal } from "../../src/journal/index.ts";
import { createFakeLaminar, processExists } from "../fixtures/fake-laminar-dir.ts";
import { fakeProcesses } from "./fault-kit.ts";
import { CONCURRENCY, restartAndDrain, terminateUnderLoad, writeConfig } from "./sigterm-kit.ts";

test("SIGTERM under load with every laminarc slot hung: all killed within the grace, exit 0, resumed once at the next start", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "lh-term-hang-"));
  const fake = createFakeLaminar({ mode: "hang" });
  const config = writeConfig(dir, "2s");
  try {
    const { acknowledged, stopMs } = await terminateUnderLoad(config, fake, 1,
      (count) => count >= 10 && fake.calls().filter((call) => call.outcome === "hang").length >= CONCURRENCY);
    const hung = fake.calls();
    t.diagnostic(`${acknowledged.length} acknowledged, ${hung.length} laminarc hung; stopped in ${Math.round(stopMs)} ms`);
    assert.ok(stopMs < 2_000 + 2_000, `stopping took ${Math.round(stopMs)} ms; the grace is the 2s timeout`);
    for (const call of hung) assert.equal(processExists(call.pid), false, `hung laminarc ${call.pid} was killed`);
    assert.deepEqual(fakeProcesses(fake.dir), [], "no laminarc outlives the service");

    // Opened (and its schema brought up to date) as the next start would, then read as it is.
    await openJournal(join(dir, "journal.db")).close();
    const db = new Database(join(dir, "journal.db"), { readonly: true });
    try {
      const statuses = db.prepare("SELECT DISTINCT status FROM dispatches").pluck().all();
      assert.deepEqual(statuses, ["pending"], "everything pending: nothing was queued, nothing left running");
    } finally {
      db.close();
    }
    await restartAndDrain(dir, config, fake, acknowledged);
  } finally {
    fake.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});
