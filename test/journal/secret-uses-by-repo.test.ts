// Which secret verified each repository's deliveries, on a real SQLite file: a position's last use,
// its count, and when it took over (its first use after every older position's last), across two
// changes in a row where position 1 held another secret the first time.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { openJournal } from "../../src/journal/open-journal.ts";
import { delivery, tempDir } from "./journal-fixtures.ts";

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

test("a position takes over at its first use after the older ones' last; never while an older one is used last", async (t) => {
  const journal = openJournal(join(tempDir(t), "journal.db"), { now: () => T0 });
  t.after(() => journal.close());
  let n = 0;
  const at = async (hours: number, repo: string, secretIndex: number | undefined, forge: "github" | "gitea" = "github") => {
    n += 1;
    await journal.commitDelivery(delivery({ forge, deliveryId: `d-${n}`, receivedAt: T0 + hours * HOUR, repo, jobs: [], trace: [], ...(secretIndex === undefined ? {} : { secretIndex }) }));
  };
  // sbrl/wiki: [A] (0), then [A, B]: B from hour 10 (0 once more at 11), finished: [B] (0), then [B, C]: C from hour 50.
  await at(0, "sbrl/wiki", 0);
  await at(10, "sbrl/wiki", 1);
  await at(11, "sbrl/wiki", 0);
  await at(12, "sbrl/wiki", 1);
  await at(30, "sbrl/wiki", 0);
  await at(50, "sbrl/wiki", 1);
  await at(51, "sbrl/wiki", 1);
  // acme/app: the old one used last: its position 1 has not taken over.
  await at(5, "acme/app", 1);
  await at(6, "acme/app", 0);
  // Not verified with a secret (insecure), and another forge: not counted.
  await at(60, "sbrl/wiki", undefined);
  await at(70, "sbrl/wiki", 0, "gitea");

  assert.deepEqual(journal.secretUsesByRepo("github"), [
    { repo: "acme/app", index: 0, lastAt: T0 + 6 * HOUR, count: 1, takeoverAt: T0 + 6 * HOUR },
    { repo: "acme/app", index: 1, lastAt: T0 + 5 * HOUR, count: 1 },
    { repo: "sbrl/wiki", index: 0, lastAt: T0 + 30 * HOUR, count: 3, takeoverAt: T0 },
    { repo: "sbrl/wiki", index: 1, lastAt: T0 + 51 * HOUR, count: 4, takeoverAt: T0 + 50 * HOUR },
  ]);
  assert.deepEqual(journal.secretUsesByRepo("gitlab"), []);
});
