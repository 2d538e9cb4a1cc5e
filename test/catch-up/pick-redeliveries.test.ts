import assert from "node:assert/strict";
import { test } from "node:test";
import { pickRedeliveries, type HookDelivery } from "../../src/catch-up/pick-redeliveries.ts";

const attempt = (id: number, guid: string, status: string, deliveredAt = id): HookDelivery =>
  ({ id, guid, deliveredAt, status, statusCode: status === "OK" ? 200 : 0, event: "push" });
const none = { journaled: new Set<string>(), asked: new Set<string>() };

test("a guid whose every attempt failed is sent again by its latest attempt, oldest guid first", () => {
  const picked = pickRedeliveries([attempt(5, "g2", "failed to connect to host"), attempt(3, "g1", "timed out"), attempt(4, "g1", "Invalid HTTP Response: 502")], none);
  assert.deepEqual(picked.map((p) => [p.guid, p.id, p.status]), [["g1", 4, "Invalid HTTP Response: 502"], ["g2", 5, "failed to connect to host"]]);
});

test("a guid with an OK attempt, one the journal has, or one asked for before is left alone", () => {
  const deliveries = [attempt(1, "ok-later", "timed out"), attempt(2, "ok-later", "OK"), attempt(3, "kept", "timed out"), attempt(4, "asked", "timed out")];
  assert.deepEqual(pickRedeliveries(deliveries, { journaled: new Set(["kept"]), asked: new Set(["asked"]) }), []);
});
