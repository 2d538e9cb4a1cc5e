// When a secret change can be finished, row by row: the journal's uses of each position of a list,
// and the config that decides which list verified a repository's deliveries.

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkSecretRotation, DAY_MS, type PositionUse } from "../../../src/cli/doctor/check-secret-rotation.ts";
import { checkSecretLists } from "../../../src/cli/doctor/secret-lists.ts";
import { parseConfig } from "../../../src/config/load-config.ts";
import type { RepoSecretUse } from "../../../src/journal/index.ts";
import type { ForgeName } from "../../../src/types.ts";

const NOW = Date.parse("2026-12-06T12:00:00Z");
const HOUR = 3_600_000;
const list = { subject: "github acme/app", repo: "acme/app", count: 2 };

/** A position's uses: it took over `takeoverAgo` ago (null: an older one was used after it), last used `lastAgo` ago. */
function use(index: number, takeoverAgo: number | null, lastAgo: number, count = 3): PositionUse {
  return { index, lastAt: NOW - lastAgo, count, ...(takeoverAgo === null ? {} : { takeoverAt: NOW - takeoverAgo }) };
}

/** A config of `forges:` and `repositories:`; no secret file is read. */
function configOf(yaml: string) {
  return parseConfig(`server: { listen: "127.0.0.1:0" }\nlaminar: { host: "unix-abstract:x" }\n${yaml}`, "config.yml",
    { env: {}, baseDir: "/nonexistent", readFile: () => { throw new Error("no secret file here"); } });
}

/** Severity and message of each finding, with its action. */
function said(findings: ReturnType<typeof checkSecretRotation>): string[] {
  return findings.map((finding) => `${finding.severity}: ${finding.message} → ${finding.action}`);
}

test("one secret: no change under way, nothing to say", () => {
  assert.deepEqual(checkSecretRotation({ ...list, count: 1 }, [use(0, 3 * DAY_MS, HOUR)], NOW), []);
});

test("the old secret verified a delivery within the day: the forge still signs with it", () => {
  const rows = [
    // Only the old one, an hour ago: the hook was never updated.
    [use(0, 10 * DAY_MS, HOUR)],
    // Both: the old one 23 h ago, the new one since (another hook, or a redelivery of an old push).
    [use(0, 10 * DAY_MS, 23 * HOUR), use(1, 2 * DAY_MS, HOUR)],
  ];
  for (const uses of rows) {
    const lines = said(checkSecretRotation(list, uses, NOW));
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0]!, /^note: secret #1 of 2 still verified a delivery at 2026-12-0[56]T\d\d:00:00\.000Z: the forge still signs with it \(its hook may not have been updated\) → run `laminar-hooks repo rotate-secret acme\/app` again/);
  }
});

test("nothing used the old secret for a day after the new one took over: finish", () => {
  const rows = [
    // The old one last used 3 days ago, the new one since 2 days.
    [use(0, 10 * DAY_MS, 3 * DAY_MS), use(1, 2 * DAY_MS, HOUR)],
    // Exactly a day: the new one's first use 24 h ago, the old one last used just before it.
    [use(0, 10 * DAY_MS, DAY_MS + 1), use(1, DAY_MS, DAY_MS)],
    // The old one never verified anything (the list was made with both), the new one for days.
    [use(1, 5 * DAY_MS, HOUR)],
  ];
  for (const uses of rows) {
    assert.deepEqual(said(checkSecretRotation(list, uses, NOW)), [
      "warning: secret #1 of acme/app has verified nothing for a day → finish the change with `laminar-hooks repo rotate-secret acme/app --finish`",
    ]);
  }
  // Three secrets: both old ones are named.
  assert.deepEqual(said(checkSecretRotation({ ...list, count: 3 }, [use(2, 2 * DAY_MS, HOUR)], NOW)), [
    "warning: secret #1, #2 of acme/app have verified nothing for a day → finish the change with `laminar-hooks repo rotate-secret acme/app --finish`",
  ]);
});

test("the new secret took over less than a day ago: not yet, and when", () => {
  // The old one quiet for a week (a quiet repository), the new one's probe an hour ago.
  assert.deepEqual(said(checkSecretRotation(list, [use(0, 30 * DAY_MS, 7 * DAY_MS), use(1, HOUR, HOUR, 1)], NOW)), [
    "note: secret #2 verified its first delivery at 2026-12-06T11:00:00.000Z, and secret #1 nothing since a day before now → after 2026-12-07T11:00:00.000Z, if nothing has used #1 by then, finish the change with `laminar-hooks repo rotate-secret acme/app --finish`",
  ]);
});

test("the new secret never verified anything, or not since the old one last did: the service or the forge does not have it yet", () => {
  const action = "→ run `laminar-hooks repo rotate-secret acme/app` (it waits for the service, then updates the hook)";
  assert.deepEqual(said(checkSecretRotation(list, [], NOW)), [
    `note: secret #2 (the newest) has verified no delivery yet: the service may not have loaded it, or the forge does not sign with it yet ${action}`,
  ]);
  // The old one used last, two days ago; the new one's uses are older still (the position held
  // another secret in an earlier change): it has not taken over.
  for (const uses of [[use(0, 30 * DAY_MS, 2 * DAY_MS)], [use(0, 30 * DAY_MS, 2 * DAY_MS), use(1, null, 20 * DAY_MS)]]) {
    assert.deepEqual(said(checkSecretRotation(list, uses, NOW)), [
      `note: secret #2 (the newest) has verified no delivery since #1 last did: the service may not have loaded it, or the forge does not sign with it yet ${action}`,
    ]);
  }
});

test("a forge's list: finished by hand in the config", () => {
  assert.deepEqual(said(checkSecretRotation({ subject: "forges.gitea", count: 2 }, [use(1, 2 * DAY_MS, HOUR)], NOW)), [
    "warning: secret #1 of forges.gitea has verified nothing for a day → remove the old secret from the list of forges.gitea in the config (keep the last one); the service reloads it",
  ]);
});

test("which list verified a repository's deliveries is decided as the service decides it", () => {
  const config = configOf(`forges:
  github: { secret: [old-gh, new-gh] }
  gitea: { secret: only }
repositories:
  - repo: acme/app
    forge: github
    secret: [old-app, new-app]
    jobs: [{ job: app }]
  - repo: acme/*
    jobs: [{ job: app }]
  - repo: team/site
    forge: gitea
    jobs: [{ job: app }]
`);
  const rows: Record<string, RepoSecretUse[]> = {
    // acme/app's own list: the old one an hour ago (Acme/App: names compare without case).
    github: [
      { repo: "Acme/App", index: 0, lastAt: NOW - HOUR, count: 4 },
      { repo: "acme/app", index: 1, takeoverAt: NOW - 2 * HOUR, lastAt: NOW - 2 * HOUR, count: 1 },
      // acme/lib and acme/doc (the glob, no secret of their own) are the forge's list: only the
      // new one, acme/lib's hook for three days, acme/doc's for two.
      { repo: "acme/lib", index: 1, takeoverAt: NOW - 3 * DAY_MS, lastAt: NOW - HOUR, count: 9 },
      { repo: "acme/doc", index: 0, lastAt: NOW - 2 * DAY_MS - HOUR, count: 1 },
      { repo: "acme/doc", index: 1, takeoverAt: NOW - 2 * DAY_MS, lastAt: NOW - 2 * DAY_MS, count: 1 },
    ],
    // One secret for Gitea: no list, nothing said of it.
    gitea: [{ repo: "team/site", index: 0, lastAt: NOW, count: 2 }],
  };
  const findings = checkSecretLists(config, (forge: ForgeName) => rows[forge] ?? [], NOW);
  assert.deepEqual(findings.map((finding) => `${finding.severity} ${finding.subject}: ${finding.message}`), [
    "note github acme/app secrets: secret #1 of 2 still verified a delivery at 2026-12-06T11:00:00.000Z: the forge still signs with it (its hook may not have been updated)",
    "warning forges.github secrets: secret #1 of forges.github has verified nothing for a day",
  ]);
});

test("a forge's list over several repositories: it has taken over when the last of their hooks did", () => {
  const config = configOf(`forges:
  github: { secret: [old-gh, new-gh] }
repositories:
  - repo: acme/*
    jobs: [{ job: app }]
`);
  const said = (rows: RepoSecretUse[]) => checkSecretLists(config, (forge) => (forge === "github" ? rows : []), NOW).map((finding) => `${finding.severity}: ${finding.message}`);
  const lib: RepoSecretUse = { repo: "acme/lib", index: 1, takeoverAt: NOW - 3 * DAY_MS, lastAt: NOW - HOUR, count: 9 };
  // acme/doc switched an hour ago (its old secret last used two days ago): not yet.
  assert.match(said([lib, { repo: "acme/doc", index: 0, lastAt: NOW - 2 * DAY_MS, count: 1 }, { repo: "acme/doc", index: 1, takeoverAt: NOW - HOUR, lastAt: NOW - HOUR, count: 1 }])[0]!,
    /^note: secret #2 verified its first delivery at 2026-12-06T11:00:00\.000Z/);
  // acme/doc's hook still had the old one at its last push, two days ago: its new one has not taken over.
  assert.match(said([lib, { repo: "acme/doc", index: 0, lastAt: NOW - 2 * DAY_MS, count: 1 }, { repo: "acme/doc", index: 1, lastAt: NOW - 5 * DAY_MS, count: 1 }])[0]!,
    /^note: secret #2 \(the newest\) has verified no delivery since #1 last did/);
});
