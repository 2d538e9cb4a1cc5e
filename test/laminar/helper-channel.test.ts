// The spawn helper is checked with a handshake before anything is sent to it: a build/ shipped in a
// tarball, built elsewhere or from other sources, is refused with what to do, and starts nothing.
// The stand-ins are tiny real programs in a temp folder.
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { SpawnHelperError, SPAWN_HELPER } from "../../src/laminar/helper-channel.ts";
import { encodeRequest, PROTOCOL_VERSION } from "../../src/laminar/helper-protocol.ts";
import { LaminarcHelper } from "../../src/laminar/laminarc-helper.ts";
import { createFakeLaminar, FAKE_LAMINARC } from "../fixtures/fake-laminar-dir.ts";

const dir = mkdtempSync(join(tmpdir(), "lh-helper-"));
const fake = createFakeLaminar();
after(() => {
  rmSync(dir, { recursive: true, force: true });
  fake.remove();
});

/** An executable file `name` with these contents. */
function executable(name: string, contents: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, contents);
  chmodSync(file, 0o755);
  return file;
}

/** The helper's start refused, and a run through it answered as never started, with this message. */
async function refused(helper: LaminarcHelper, message: RegExp): Promise<void> {
  await assert.rejects(helper.start(), (error: unknown) => error instanceof SpawnHelperError && message.test(error.message));
  const result = await helper.run({ job: "hello", params: {}, host: "", reason: "r" }, { laminarc: FAKE_LAMINARC, timeoutMs: 5000, env: fake.env });
  assert.equal(result.outcome.kind, "retry");
  assert.match(result.outcome.kind === "retry" ? result.outcome.message : "", message);
  assert.doesNotMatch(result.outcome.kind === "retry" ? result.outcome.message : "", /whether laminarc ran is unknown/, "nothing was started");
  assert.deepEqual(fake.calls(), [], "no laminarc was started");
  await helper.close();
}

test("build/spawn-helper passes its handshake", async () => {
  const helper = new LaminarcHelper();
  await helper.start();
  await helper.close();
});

test("a missing helper: the start fails, saying to install a C compiler and build it", async () => {
  const missing = join(dir, "not-built");
  await refused(new LaminarcHelper({ executable: missing }), new RegExp(`${missing} is missing.*npm ci.*apt-get install gcc`));
});

test("a helper that cannot run here (another machine's binary, not executable) is refused", async () => {
  // Node's spawn hands a file the kernel cannot load (ENOEXEC) to /bin/sh, which gives up: 127.
  const foreign = executable("foreign", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
  await refused(new LaminarcHelper({ executable: foreign }), /exited \(code 127\) before answering its handshake.*on another machine.*npm run build/);
  const locked = executable("locked", "#!/bin/sh\n");
  chmodSync(locked, 0o644);
  await refused(new LaminarcHelper({ executable: locked }), /cannot be run on this machine \(EACCES\).*npm run build/);
});

test("an older helper, which dies on the handshake it does not know, is refused", async () => {
  const old = executable("old", "#!/bin/sh\necho 'laminar-hooks spawn helper: unknown frame' >&2\nexit 2\n");
  await refused(new LaminarcHelper({ executable: old }), /exited \(code 2\) before answering its handshake.*npm run build/);
});

test("a helper of another protocol version is refused, and is sent nothing but the handshake", async () => {
  const received = join(dir, "other.in");
  // It keeps what it is sent, and answers a moment later: time for anything sent early to arrive.
  const other = executable("other", `#!/bin/sh\n(sleep 0.3; printf '\\005\\000\\000\\000H\\001\\000\\000\\000') &\nexec cat >> ${received}\n`);
  await refused(new LaminarcHelper({ executable: other }), /speaks protocol 1, this laminar-hooks protocol 2/);
  // One helper for start(), one for the run: each got the service's hello (unless it was killed
  // before it wrote it down), and nothing else.
  const hello = encodeRequest({ type: "hello", version: PROTOCOL_VERSION });
  const kept = readFileSync(received);
  assert.ok([0, 1, 2].some((count) => kept.equals(Buffer.concat(Array<Buffer>(count).fill(hello)))), `received ${kept.length} bytes, starting ${kept.subarray(0, 24).toString("hex")}`);
});

test("a helper that answers something else is refused", async () => {
  const garbage = executable("garbage", "#!/bin/sh\nprintf '\\005\\000\\000\\000X\\001\\000\\000\\000'\nexec sleep 30\n");
  await refused(new LaminarcHelper({ executable: garbage }), /answered its handshake with a frame of 5 bytes starting "X/);
});

test("a helper that never answers is refused at the handshake's timeout", async () => {
  const silent = executable("silent", "#!/bin/sh\nexec sleep 30\n");
  await refused(new LaminarcHelper({ executable: silent, handshakeTimeoutMs: 300 }), /did not answer its handshake within 0\.3s/);
});

test("the helper is build/spawn-helper of this checkout", () => {
  assert.equal(SPAWN_HELPER, join(import.meta.dirname, "..", "..", "build", "spawn-helper"));
});
