// The payload kept after verification: the fixtures' secret fields are gone, everything else is
// as sent, and a payload without such fields keeps its exact text.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { withoutSecrets } from "../../src/forges/index.ts";
import { fixtureText } from "./fixture-delivery.ts";

function keep(name: string) {
  const text = fixtureText(name);
  const payload = JSON.parse(text) as Record<string, unknown>;
  return { text, payload, kept: withoutSecrets(payload, text) };
}

describe("withoutSecrets", () => {
  for (const name of ["gitea/push-1.json", "gitea/pull_request-2.json", "gitea/pull_request-4.json"]) {
    it(`removes the hook's top-level secret of ${name} and keeps the rest`, () => {
      const { payload, kept } = keep(name);
      const secret = payload.secret as string;
      assert.ok(secret.length > 0);
      assert.equal(Object.hasOwn(kept.payload as object, "secret"), false);
      assert.ok(!kept.text.includes(`"secret"`), "the journaled text has no secret field");
      const { secret: _, ...rest } = payload;
      assert.deepEqual(kept.payload, rest);
      assert.deepEqual(JSON.parse(kept.text), rest);
      assert.equal(payload.secret, secret, "the parsed delivery is not changed under the verifier's feet");
    });
  }

  it("removes the hook's config from a GitHub ping, not the rest of the hook", () => {
    const { payload, kept } = keep("github/ping-3.json");
    const hook = (kept.payload as { hook: Record<string, unknown> }).hook;
    assert.equal(Object.hasOwn(hook, "config"), false);
    assert.equal(hook.id, (payload.hook as { id: number }).id);
    assert.ok(!kept.text.includes("********") && !kept.text.includes("smee.io/YEbF2t8kjvPAn7Ck"));
    assert.ok((payload.hook as { config?: unknown }).config, "the original still has it");
  });

  for (const name of ["github/push-5.json", "gitlab/push-1.json", "gogs/push-1.json", "gitea/push-2.json"]) {
    it(`keeps ${name}, which has no secret field, byte for byte`, () => {
      const { text, payload, kept } = keep(name);
      assert.equal(kept.text, text);
      assert.equal(kept.payload, payload);
    });
  }

  it("leaves shapes without those fields as they are, whatever they hold", () => {
    for (const odd of [[], "x", 1, null, { hook: null }, { hook: "x" }, { hook: { id: 1 } }, [{ secret: "s" }]]) {
      assert.equal(withoutSecrets(odd, "…").payload, odd);
    }
    assert.deepEqual(withoutSecrets({ hook: { config: "x", id: 1 }, secret: null }, "…").payload, { hook: { id: 1 } });
  });
});
