// A Gitea or Forgejo hook's branch filter against the push jobs' branches, row by row.

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkBranchFilter, type PushJob } from "../../../src/cli/doctor/check-branch-filter.ts";

const SUBJECT = "gitea team/app hook";

function said(filter: string | undefined, jobs: readonly PushJob[]): string[] {
  return checkBranchFilter(SUBJECT, 11, filter, jobs).map((finding) => `${finding.severity}: ${finding.message}`);
}

test("no filter, an empty one or * sends every branch: nothing to say", () => {
  for (const filter of [undefined, "", "*"]) assert.deepEqual(said(filter, [{ job: "app" }, { job: "docs", branches: ["gh-pages"] }]), []);
});

test("a filter that covers each branch the jobs build: nothing to say", () => {
  assert.deepEqual(said("{main,release/*}", [{ job: "app", branches: ["main"] }, { job: "rel", branches: ["release/*"] }]), []);
  assert.deepEqual(said("main", [{ job: "app", branches: ["main"] }]), []);
  // No push job (tags, pull requests: the filter does not apply to them).
  assert.deepEqual(said("main", []), []);
});

test("a filter that leaves out a branch a job builds, or every branch a job of every branch builds", () => {
  assert.deepEqual(said("main", [{ job: "app" }, { job: "rel", branches: ["main", "release/*"] }]), [
    `warning: hook 11's branch filter "main" may not send pushes to every branch (job app), release/* (job rel): the forge drops a push outside its filter before sending it`,
  ]);
  assert.deepEqual(said("{main,develop}", [{ job: "app", branches: ["feature/**"] }]), [
    `warning: hook 11's branch filter "{main,develop}" may not send pushes to feature/** (job app): the forge drops a push outside its filter before sending it`,
  ]);
});
