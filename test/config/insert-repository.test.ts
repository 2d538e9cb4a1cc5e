// The config edit of `repo add`: new lines where they belong, every other line byte for byte, and
// the result reads back as the entry that was meant.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseDocument } from "yaml";
import { insertJobs, insertRepository, scalar } from "../../src/config/insert-repository.ts";
import { ConfigError } from "../../src/errors.ts";

const FILE = "/etc/laminar-hooks/config.yml";
const ENTRY = { repo: "acme/app", forge: "github" as const, secretFile: "acme-app.secret", jobs: [{ job: "app", events: ["push" as const], branches: ["main", "release/*"] }] };

/** The lines of `after` that are not in `before`, when `before`'s lines all stay, in order, byte for byte. */
function added(before: string, after: string): string[] {
  const old = before.split("\n");
  const now = after.split("\n");
  const extra: string[] = [];
  let i = 0;
  for (const line of now) {
    if (i < old.length && line === old[i]) i += 1;
    else extra.push(line);
  }
  assert.equal(i, old.length, `some line of the original changed:\n${after}`);
  return extra;
}

test("a commented config gains the repository after the last one; every other line stays byte for byte", () => {
  const text = [
    "# top comment",
    "forges:",
    "  github: { secret: { env: S } }   # keep",
    "",
    "repositories:    # the list",
    "    - repo: old/one        # aligned oddly on purpose",
    "      jobs:",
    "        - job: one",
    "      # trailing comment of old/one",
    "",
    "# after the list",
    "ui: { enabled: false }",
    "",
  ].join("\n");
  const edited = insertRepository(text, FILE, ENTRY);
  assert.deepEqual(added(text, edited), [
    "    - repo: acme/app",
    "      forge: github",
    "      secret: { file: acme-app.secret }",
    "      jobs:",
    "        - job: app",
    "          events: [push]",
    '          branches: [main, "release/*"]',
  ]);
  const repositories = parseDocument(edited).toJS().repositories;
  assert.deepEqual(repositories[1], { repo: "acme/app", forge: "github", secret: { file: "acme-app.secret" }, jobs: [{ job: "app", events: ["push"], branches: ["main", "release/*"] }] });
});

test("the example config, an empty list, no list at all, and no final newline", () => {
  const example = readFileSync(new URL("../../config/laminar-hooks.example.yml", import.meta.url), "utf8");
  const edited = insertRepository(example, FILE, ENTRY);
  added(example, edited);
  assert.equal(parseDocument(edited).toJS().repositories.at(-1).repo, "acme/app");
  for (const text of ["forges: {}\nrepositories: []   # none yet\nui: {}\n", "forges: {}\nrepositories:\n", "forges: {}", "forges: {}\nrepositories:\n  - repo: a/b\n    jobs: [{ job: b }]"]) {
    const result = insertRepository(text, FILE, ENTRY);
    const repositories = parseDocument(result).toJS().repositories as { repo: string }[];
    assert.equal(repositories.at(-1)?.repo, "acme/app", result);
    assert.match(result, /^forges: \{\}/);
  }
});

test("a job joins an existing repository's list at its indentation", () => {
  const text = "repositories:\n- repo: a/b   # x\n  forge: gitea\n  jobs:\n  - job: one\n    events: [push]\n  # done\n- repo: c/d\n  jobs:\n    - job: d\n";
  const edited = insertJobs(text, FILE, 0, [{ job: "two", events: ["tag", "pull_request"] }]);
  assert.deepEqual(added(text, edited), ["  - job: two", "    events: [tag, pull_request]"]);
  assert.deepEqual(parseDocument(edited).toJS().repositories[0].jobs.map((job: { job: string }) => job.job), ["one", "two"]);
  assert.throws(() => insertJobs("repositories:\n  - repo: a/b\n    jobs: [{ job: one }]\n", FILE, 0, [{ job: "x", events: ["push"] }]),
    (error: unknown) => error instanceof ConfigError && /:3:11 .*by hand/.test(error.message));
});

test("scalars that YAML would read otherwise are quoted", () => {
  assert.equal(scalar("acme/app"), "acme/app");
  for (const value of ["release/*", "yes", "1.0", "on", "-x", "a b", "#x"]) {
    assert.equal(parseDocument(`v: ${scalar(value)}`).toJS().v, value);
    assert.notEqual(scalar(value), value);
  }
});
