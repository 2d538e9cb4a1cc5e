// 40 senders of 20 MB unsigned bodies at once, slowly, at the service in its own process (the
// memory a service holds is only honest in a process of its own). server.unverified_limit bounds
// what their bodies hold together: the process stays small, every sender gets an answer (a 503
// with Retry-After, or the 401 its missing signature earns), and nothing is held at the end.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createFakeLaminar, FAKE_LAMINARC } from "../fixtures/fake-laminar-dir.ts";
import { startChildService } from "../support/child-service.ts";
import { slowRequest, type SlowAnswer } from "../support/slow-request.ts";
import { githubHeaders, HELLO_WORLD_CONFIG } from "../support/test-service.ts";
import { sleep } from "./fault-kit.ts";

const MB = 1024 ** 2;
const SENDERS = 40;
const BODY = 20 * MB;
const CHUNK = Buffer.alloc(256 * 1024, 0x20);
/** What the service may grow by: the 100 MB of bodies, a copy of the few it finishes, and slack. */
const GROWTH_LIMIT_MB = 250;

/** Resident memory of a process, and its peak so far, in MB (Linux /proc). */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

function metricValue(text: string, name: string): number | undefined {
  const line = text.split("\n").find((entry) => entry.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** One sender: the whole body a chunk at a time with a pause between, until it is answered. */
async function send(url: string, index: number, declareLength: boolean): Promise<SlowAnswer> {
  const headers = githubHeaders("push", `flood-${index}`);
  if (declareLength) headers["content-length"] = String(BODY);
  const request = slowRequest(url, "/hooks", headers);
  for (let sent = 0; sent < BODY && !request.answered; sent += CHUNK.length) {
    if (!(await request.write(CHUNK))) break;
    await sleep(5);
  }
  if (!request.answered) request.end();
  const answer = await request.answer;
  // A sender answered before it finished stops sending, as an HTTP client does.
  request.abort();
  return answer;
}

test(`${SENDERS} concurrent slow unsigned bodies of 20 MB: memory bounded, every one answered, nothing held after`, { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "lh-flood-"));
  const fake = createFakeLaminar();
  const configFile = join(dir, "config.yml");
  // body_limit and unverified_limit are the defaults: 25 MB and 100 MB.
  writeFileSync(configFile, `server: { listen: "127.0.0.1:0" }
laminar: { laminarc: ${JSON.stringify(FAKE_LAMINARC)} }
journal: { path: journal.db }
log: { level: info }
${HELLO_WORLD_CONFIG.trimStart()}`);
  const service = await startChildService(configFile, fake.env);
  const pid = service.child.pid!;
  try {
    const before = memory(pid);
    // Half declare their length (reserved up front), half are chunked (counted as they come).
    const answers = await Promise.all(Array.from({ length: SENDERS }, (_, index) => send(service.url, index, index % 2 === 0)));
    const after = memory(pid);
    const statuses = answers.map((answer) => answer.status);
    t.diagnostic(`RSS ${Math.round(before.rss)} MB before, peak ${Math.round(after.peak)} MB; statuses ${JSON.stringify(statuses)}`);

    for (const [index, answer] of answers.entries()) {
      assert.ok(answer.status === 401 || answer.status === 503, `sender ${index}: ${answer.status} ${answer.body.message ?? ""}`);
      if (answer.status === 503) {
        assert.equal(answer.headers["retry-after"], "5", `sender ${index}`);
        assert.match(answer.body.message ?? "", /^busy: bodies not verified yet hold /);
      } else {
        assert.match(answer.body.message ?? "", /^missing signature/);
      }
    }
    const refused = statuses.filter((status) => status === 503).length;
    assert.ok(refused > 0 && refused < SENDERS, `${refused} of ${SENDERS} refused: some must be, not all`);
    assert.ok(after.peak - before.rss < GROWTH_LIMIT_MB, `the service grew from ${Math.round(before.rss)} MB to a peak of ${Math.round(after.peak)} MB`);

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    assert.equal(metricValue(metrics, "laminar_hooks_unverified_bytes"), 0, "nothing held once every sender is answered");
    assert.equal(metricValue(metrics, 'laminar_hooks_unverified_refused_total{forge="github"}'), refused);
  } finally {
    service.child.kill("SIGTERM");
    await service.exited;
    fake.remove();
    rmSync(dir, { recursive: true, force: true });
  }
});
