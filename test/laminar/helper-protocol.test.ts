// The frames spoken with the spawn helper: what the service encodes, and replies decoded however
// the pipe happens to cut them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeRequest, PROTOCOL_VERSION, ReplyDecoder } from "../../src/laminar/helper-protocol.ts";

/** A result frame as spawn-helper.c writes it. */
function resultFrame(fields: { id: number; flags: number; exitCode?: number; signal?: number; errno?: number; ms?: number; out?: string; err?: string }): Buffer {
  const out = Buffer.from(fields.out ?? "");
  const err = Buffer.from(fields.err ?? "");
  const body = Buffer.alloc(30);
  body.write("F", 0, "latin1");
  body.writeUInt32LE(fields.id, 1);
  body.writeUInt8(fields.flags, 5);
  body.writeInt32LE(fields.exitCode ?? 0, 6);
  body.writeUInt32LE(fields.signal ?? 0, 10);
  body.writeUInt32LE(fields.errno ?? 0, 14);
  body.writeUInt32LE(fields.ms ?? 0, 18);
  body.writeUInt32LE(out.length, 22);
  body.writeUInt32LE(err.length, 26);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(30 + out.length + err.length, 0);
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

/** The helper's answer to the handshake. */
function helloFrame(version: number): Buffer {
  const frame = Buffer.alloc(9);
  frame.writeUInt32LE(5, 0);
  frame.write("H", 4, "latin1");
  frame.writeUInt32LE(version, 5);
  return frame;
}

test("the handshake: the service's hello carries its version", () => {
  const frame = encodeRequest({ type: "hello", version: PROTOCOL_VERSION });
  assert.deepEqual([...frame], [5, 0, 0, 0, "H".charCodeAt(0), PROTOCOL_VERSION, 0, 0, 0]);
});

test("a timeout beyond a u32 of milliseconds, or not a number, waits as long as a u32 can, never 0", () => {
  for (const timeoutMs of [2 ** 31, 2 ** 32, 2 ** 40, Infinity, Number.NaN]) {
    const frame = encodeRequest({ type: "run", id: 1, file: "laminarc", args: [], envKey: 1, setEnv: {}, timeoutMs, maxOutputBytes: 1 });
    const expected = timeoutMs === 2 ** 31 ? 2 ** 31 : 0xffffffff;
    assert.equal(frame.readUInt32LE(13), expected, String(timeoutMs));
  }
});

test("a frame no helper of this version sends is refused, not misread", () => {
  assert.throws(() => new ReplyDecoder().push(Buffer.from([4, 0, 0, 0, 1, 0, 0, 0])), /a frame of 4 bytes/);
  const old = resultFrame({ id: 1, flags: 1 }).subarray(5);
  const header = Buffer.alloc(4);
  header.writeUInt32LE(old.length, 0);
  assert.throws(() => new ReplyDecoder().push(Buffer.concat([header, old])), /a frame of 29 bytes/, "a result of protocol 1, without its type");
});

test("replies are decoded across any split of the stream, with Node's names for signals and errors", () => {
  const stream = Buffer.concat([
    helloFrame(PROTOCOL_VERSION),
    resultFrame({ id: 1, flags: 1, exitCode: 0, ms: 18, out: "hello:1\n" }),
    resultFrame({ id: 2, flags: 2 | 4, signal: 9, err: "partial\r\n" }),
    resultFrame({ id: 3, flags: 16, errno: 2 }),
    resultFrame({ id: 4, flags: 1, exitCode: 255 }),
  ]);
  for (const cut of [1, 3, 4, 5, 33, 40, stream.length - 1]) {
    const decoder = new ReplyDecoder();
    decoder.started(3, "/opt/laminarc");
    const [hello, ...results] = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
    assert.deepEqual(hello, { type: "hello", version: PROTOCOL_VERSION });
    assert.equal(results.length, 4, `cut at ${cut}`);
    assert.deepEqual(results[0], { type: "result", id: 1, exitCode: 0, signal: null, stdout: "hello:1", stderr: "", durationMs: 18, timedOut: false, canceled: false });
    const [, killed, missing, failed] = results.map((reply) => (reply?.type === "result" ? reply : undefined));
    assert.equal(killed?.signal, "SIGKILL");
    assert.equal(killed?.exitCode, null);
    assert.equal(killed?.timedOut, true);
    assert.equal(killed?.stderr, "partial");
    assert.deepEqual(missing?.spawnError, { code: "ENOENT", message: "spawn /opt/laminarc ENOENT" });
    assert.equal(failed?.exitCode, 255);
  }
});
