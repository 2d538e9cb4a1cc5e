// The frames spoken with the native helper: what the service encodes, and results decoded however
// the pipe happens to cut them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeRequest, ResultDecoder } from "../../src/laminar/native-helper-protocol.ts";

/** A result frame as spawn-helper.c writes it. */
function resultFrame(fields: { id: number; flags: number; exitCode?: number; signal?: number; errno?: number; ms?: number; out?: string; err?: string }): Buffer {
  const out = Buffer.from(fields.out ?? "");
  const err = Buffer.from(fields.err ?? "");
  const body = Buffer.alloc(29);
  body.writeUInt32LE(fields.id, 0);
  body.writeUInt8(fields.flags, 4);
  body.writeInt32LE(fields.exitCode ?? 0, 5);
  body.writeUInt32LE(fields.signal ?? 0, 9);
  body.writeUInt32LE(fields.errno ?? 0, 13);
  body.writeUInt32LE(fields.ms ?? 0, 17);
  body.writeUInt32LE(out.length, 21);
  body.writeUInt32LE(err.length, 25);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(29 + out.length + err.length, 0);
  return Buffer.concat([length, body, out, err]);
}

test("a run frame carries the file, the arguments and the variables, NUL-terminated", () => {
  const frame = encodeRequest({
    type: "run", id: 7, file: "/usr/bin/laminarc", args: ["queue", "hello", "title=ünï"], envKey: 2,
    setEnv: { LAMINAR_HOST: "unix-abstract:laminar" }, timeoutMs: 30_000, maxOutputBytes: 65_536,
  });
  assert.equal(frame.readUInt32LE(0), frame.length - 4);
  assert.equal(frame.toString("latin1", 4, 5), "R");
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((i) => frame.readUInt32LE(1 + i * 4)), [7, 2, 30_000, 65_536, 4, 1]);
  assert.deepEqual(frame.subarray(29).toString("utf8").split("\0"), ["/usr/bin/laminarc", "queue", "hello", "title=ünï", "LAMINAR_HOST=unix-abstract:laminar", ""]);
});

test("a string holding NUL is refused before it could split a frame", () => {
  assert.throws(
    () => encodeRequest({ type: "env", key: 1, env: { BAD: "a\0b" } }),
    /contains a NUL character/,
  );
});

test("results are decoded across any split of the stream, with Node's names for signals and errors", () => {
  const stream = Buffer.concat([
    resultFrame({ id: 1, flags: 1, exitCode: 0, ms: 18, out: "hello:1\n" }),
    resultFrame({ id: 2, flags: 2 | 4, signal: 9, err: "partial\r\n" }),
    resultFrame({ id: 3, flags: 16, errno: 2 }),
    resultFrame({ id: 4, flags: 1, exitCode: 255 }),
  ]);
  for (const cut of [1, 3, 4, 5, 33, 40, stream.length - 1]) {
    const decoder = new ResultDecoder();
    decoder.started(3, "/opt/laminarc");
    const results = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
    assert.equal(results.length, 4, `cut at ${cut}`);
    assert.deepEqual(results[0], { type: "result", id: 1, exitCode: 0, signal: null, stdout: "hello:1", stderr: "", durationMs: 18, timedOut: false, canceled: false });
    assert.equal(results[1]?.signal, "SIGKILL");
    assert.equal(results[1]?.exitCode, null);
    assert.equal(results[1]?.timedOut, true);
    assert.equal(results[1]?.stderr, "partial");
    assert.deepEqual(results[2]?.spawnError, { code: "ENOENT", message: "spawn /opt/laminarc ENOENT" });
    assert.equal(results[3]?.exitCode, 255);
  }
});
