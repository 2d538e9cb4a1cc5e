import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { forgejo } from "../../src/forges/forgejo/index.ts";
import { expect400 } from "./expect-400.ts";
import { fixtureJson, fixtureText, forgejoHeaders, jsonDelivery, secret } from "./fixture-delivery.ts";

// Forgejo sends Gitea's payloads; the Gitea vector holds for the same bytes and secret.
const SECRET = "71295b197fa25f4356d2fb9965df3f2379d903d7";
const SIGNATURE = "a31111f057bafe895837f4a93c0f1f528919c199a20438b1fc8e23485780a33a";

describe("Forgejo", () => {
  it("reads its envelope from the X-Forgejo-* headers", () => {
    const headers = { ...forgejoHeaders("push"), "x-forgejo-delivery": "forgejo-id", "x-gitea-delivery": "gitea-id" };
    assert.deepEqual(forgejo.readEnvelope(headers), { forge: "forgejo", event: "push", deliveryId: "forgejo-id" });
    expect400(() => forgejo.readEnvelope({ ...headers, "x-forgejo-delivery": "" }), /missing X-Forgejo-Delivery header/);
    expect400(() => forgejo.readEnvelope(forgejoHeaders("star")), /^unknown Forgejo event "star"/);
    assert.equal(forgejo.readEnvelope(forgejoHeaders("action_run_failure")).event, "action_run_failure");
  });

  it("verifies X-Forgejo-Signature over the JSON payload", () => {
    const delivery = jsonDelivery(forgejoHeaders("pull_request", SIGNATURE), fixtureText("gitea/pull_request-4.json"));
    assert.equal(forgejo.verify(delivery, secret(SECRET)), true);
    assert.equal(forgejo.verify(delivery, secret("other")), false);
  });

  it("falls back to X-Gitea-Signature, which Forgejo also sends", () => {
    const { "x-forgejo-signature": _own, ...headers } = forgejoHeaders("pull_request", SIGNATURE);
    const delivery = jsonDelivery(headers, fixtureText("gitea/pull_request-4.json"));
    assert.equal(forgejo.hasSignature(headers), true);
    assert.equal(forgejo.verify(delivery, secret(SECRET)), true);
  });

  it("counts empty signature headers (a hook without a secret) as no signature", () => {
    const delivery = jsonDelivery(forgejoHeaders("pull_request", ""), fixtureText("gitea/pull_request-4.json"));
    assert.equal(forgejo.hasSignature(delivery.headers), false);
    assert.equal(forgejo.verify(delivery, secret(SECRET)), false);
  });

  it("normalises Gitea-format payloads as Forgejo events", () => {
    const result = forgejo.normalise({ forge: "forgejo", event: "pull_request", deliveryId: "d" }, fixtureJson("gitea/pull_request-2.json"));
    assert.ok(result.handled);
    assert.equal(result.event.forge, "forgejo");
    assert.equal(result.event.action, "synchronize");
    assert.equal(result.event.ref, "refs/pull/1/head");
    expect400(
      () => forgejo.normalise({ forge: "forgejo", event: "push", deliveryId: "d" }, { ref: "refs/heads/main" }),
      /^the Forgejo push payload cannot be used: the field "after" is missing$/,
    );
  });
});
