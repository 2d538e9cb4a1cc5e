import assert from "node:assert/strict";
import { test } from "node:test";
import type { OpenDispatch } from "../../src/journal/index.ts";
import { chooseSuperseded } from "../../src/laminar/supersede-choice.ts";

const older = (id: number, fields: Partial<OpenDispatch> & { branch?: string; pr?: string; rev?: string } = {}): OpenDispatch => ({
  id,
  status: "done",
  repo: "acme/app",
  kind: "push",
  runState: "queued",
  ...fields,
  params: { rev: fields.rev ?? `${id}`.repeat(40).slice(0, 40), ...(fields.pr ? { pr: fields.pr } : { branch: fields.branch ?? "master" }) },
});
const newer = { repo: "acme/app", kind: "push", params: { rev: "f".repeat(40), branch: "master" } };

test("queued: the older runs of the same branch that have not started, or not been queued yet", () => {
  const chosen = chooseSuperseded(newer, [
    older(1),
    older(2, { runState: null, status: "pending" }),
    older(3, { runState: "running" }),
    older(4, { branch: "dev" }),
    older(5, { repo: "acme/other" }),
    older(6, { kind: "tag" }),
    older(7, { kind: "manual" }),
    older(8, { runState: "lost" }),
  ], "queued");
  assert.deepEqual(chosen, [{ dispatchId: 1, now: false }, { dispatchId: 2, now: false }, { dispatchId: 8, now: false }]);
});

test("running: a running one too, aborted now", () => {
  assert.deepEqual(chooseSuperseded(newer, [older(1), older(3, { runState: "running" })], "running"),
    [{ dispatchId: 1, now: false }, { dispatchId: 3, now: true }]);
});

test("the repository's name is compared without case, as forges do", () => {
  assert.equal(chooseSuperseded(newer, [older(1, { repo: "Acme/App" })], "queued").length, 1);
});

test("pull requests: per pull request; a rebuild of the same commit is not superseded by itself; a tag supersedes nothing", () => {
  const pull = { repo: "acme/app", kind: "pull_request", params: { rev: "f".repeat(40), pr: "7", branch: "feature" } };
  assert.deepEqual(chooseSuperseded(pull, [older(1, { kind: "pull_request", pr: "7" }), older(2, { kind: "pull_request", pr: "8" })], "queued"),
    [{ dispatchId: 1, now: false }]);
  assert.deepEqual(chooseSuperseded(newer, [older(1, { rev: "f".repeat(40) })], "queued"), []);
  assert.deepEqual(chooseSuperseded({ repo: "acme/app", kind: "tag", params: { rev: "f".repeat(40), tag: "v1" } }, [older(1)], "queued"), []);
});
