import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { CatchUpStore, openJournal } from "../../src/journal/index.ts";
import { delivery, tempDir } from "./journal-fixtures.ts";

function open(t: Parameters<typeof tempDir>[0]) {
  const journal = openJournal(join(tempDir(t), "journal.db"));
  t.after(() => journal.close());
  return { journal, store: journal.catchUp };
}
const asked = (guid: string, askedAt: number) =>
  ({ forge: "github", guid, repo: "acme/app", hookId: 1, forgeDelivery: 7, event: "push", askedAt, answer: "202" });

test("what a poll saw is kept per repository, without case, and replaced whole by the next", (t) => {
  const { store } = open(t);
  assert.equal(store.polled("acme/app"), undefined);
  const heads = new Map([["refs/heads/main", { sha: "a".repeat(40), peeled: "a".repeat(40) }], ["refs/tags/v1", { sha: "b".repeat(40), peeled: "a".repeat(40) }]]);
  store.savePolled("Acme/App", { remote: "https://example.com/app.git", polledAt: 5, heads });
  assert.deepEqual(store.polled("acme/app"), { remote: "https://example.com/app.git", polledAt: 5, heads });
  store.savePolled("acme/app", { remote: "https://example.com/app.git", polledAt: 6, heads: new Map([["refs/heads/dev", { sha: "c".repeat(40), peeled: "c".repeat(40) }]]) });
  assert.deepEqual([...(store.polled("ACME/app")?.heads.keys() ?? [])], ["refs/heads/dev"]);
});

test("redeliveries asked are remembered once, told apart from deliveries the journal has, and forgotten when old", async (t) => {
  const { journal, store } = open(t);
  await journal.commitDelivery(delivery({ deliveryId: "kept-guid" }));
  assert.deepEqual(store.journaled("github", ["kept-guid", "other"]), new Set(["kept-guid"]));
  assert.deepEqual(store.journaled("gitea", ["kept-guid"]), new Set());
  store.recordAsked(asked("g1", 100));
  store.recordAsked({ ...asked("g1", 200), answer: "second ask is ignored" });
  store.recordAsked(asked("g2", 300));
  assert.deepEqual(store.asked("github", ["g1", "g2", "g3"]), new Set(["g1", "g2"]));
  assert.deepEqual(store.redelivered(["g1", "kept-guid"]), new Set(["g1"]));
  assert.equal(store.forgetAsked(250), 1, "g1 was asked at 100, not again at 200");
  assert.deepEqual(store.asked("github", ["g1", "g2"]), new Set(["g2"]));
});
