import assert from "node:assert/strict";
import { test } from "node:test";
import { polledDelivery } from "../../src/catch-up/polled-event.ts";
import { forges } from "../../src/forges/index.ts";
import { FORGE_NAMES } from "../../src/types.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const T = "7".repeat(40);

test("a moved branch: a push from laminar-hooks, before = the head seen last, clone_url = the remote", () => {
  const delivery = polledDelivery({
    forge: "gitea", repo: "acme/app", remote: "https://git.example.com/acme/app.git", ref: "refs/heads/main",
    head: { sha: B, peeled: B }, before: { sha: A, peeled: A },
  });
  assert.equal(delivery.deliveryId, `poll:acme/app:refs/heads/main:${B}`);
  assert.equal(delivery.forgeEvent, "push");
  assert.deepEqual(delivery.event, {
    forge: "gitea", forgeEvent: "push", kind: "push", deleted: false, repo: "acme/app", ref: "refs/heads/main", branch: "main",
    rev: B, before: A, cloneUrl: "https://git.example.com/acme/app.git", sender: "laminar-hooks",
  });
  assert.deepEqual(delivery.shas, [B]);
  assert.equal(delivery.reason, "Gitea push to acme/app main (bbbbbbb) by laminar-hooks, found by polling: its webhook never arrived");
});

test("a new annotated tag builds its commit and is matched by either the commit or the tag object", () => {
  const delivery = polledDelivery({
    forge: "gitlab", repo: "group/app", remote: "file:///srv/app.git", ref: "refs/tags/v1.0", head: { sha: T, peeled: A },
  });
  assert.equal(delivery.deliveryId, `poll:group/app:refs/tags/v1.0:${A}`);
  assert.equal(delivery.forgeEvent, "Tag Push Hook");
  assert.equal(delivery.event.kind, "tag");
  assert.equal(delivery.event.tag, "v1.0");
  assert.equal(delivery.event.rev, A);
  assert.equal(delivery.event.before, undefined);
  assert.deepEqual(delivery.shas, [A, T]);
});

test("every forge reads the payload as the same push, so `redeliver` routes it again as it was", () => {
  for (const forge of FORGE_NAMES) {
    for (const ref of ["refs/heads/main", "refs/tags/v2"]) {
      const delivery = polledDelivery({ forge, repo: "acme/app", remote: "file:///srv/app.git", ref, head: { sha: T, peeled: B }, before: { sha: A, peeled: A } });
      const normalised = forges[forge].normalise(
        { forge, event: delivery.forgeEvent, deliveryId: delivery.deliveryId }, JSON.parse(JSON.stringify(delivery.payload)),
      );
      assert.ok(normalised.handled, `${forge} ${ref}`);
      const { event } = normalised;
      for (const field of ["kind", "repo", "ref", "branch", "tag", "rev", "before", "cloneUrl", "sender", "deleted"] as const) {
        assert.deepEqual(event[field], delivery.event[field], `${forge} ${ref}: ${field}`);
      }
    }
  }
});
