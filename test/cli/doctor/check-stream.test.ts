// laminar.http judged from what its first frame was, or why there was none.

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkStream } from "../../../src/cli/doctor/check-stream.ts";

test("a status snapshot first is laminard streaming; anything else is a problem; unset is a note", () => {
  assert.deepEqual(checkStream("http://127.0.0.1:8080", { type: "status" }), []);
  assert.match(checkStream("http://127.0.0.1:8080", { type: "job_queued" })[0]!.message, /sent a first frame of type "job_queued", not laminard's "status" snapshot/);
  const down = checkStream("http://127.0.0.1:8080", { error: "connection refused (ECONNREFUSED): nothing listens there" });
  assert.deepEqual(down.map((finding) => [finding.severity, finding.message]), [["problem", "http://127.0.0.1:8080: connection refused (ECONNREFUSED): nothing listens there"]]);
  assert.deepEqual(checkStream(undefined, undefined).map((finding) => finding.severity), ["note"]);
});
