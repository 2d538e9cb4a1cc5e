// rotate-secret's edits of one `secret:`: only that text changes, and it reads back as meant.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDocument } from "yaml";
import { addSecret, keepLastSecret } from "../../src/config/edit-secret.ts";
import { ConfigError } from "../../src/errors.ts";

const FILE = "/etc/laminar-hooks/config.yml";
const read = (text: string) => parseDocument(text).toJS() as { repositories: { secret?: unknown }[] };

test("a lone secret becomes [old, new] in place; the line's comment and every other line stay", () => {
  const text = "forges: {}\nrepositories:\n  - repo: a/b\n    secret: { file: a-b.secret }   # the hook's\n    jobs: [{ job: b }]\n";
  const edited = addSecret(text, FILE, 0, "{ file: a-b.2.secret }", "github");
  assert.equal(edited, text.replace("{ file: a-b.secret }", "[{ file: a-b.secret }, { file: a-b.2.secret }]"));
  assert.deepEqual(read(edited).repositories[0]?.secret, [{ file: "a-b.secret" }, { file: "a-b.2.secret" }]);
  const finished = keepLastSecret(edited, FILE, 0);
  assert.equal(finished.text, text.replace("a-b.secret", "a-b.2.secret"));
  assert.deepEqual(finished.dropped, ["{ file: a-b.secret }"]);
});

test("a repository on its forge's secret gets a list that starts with it", () => {
  const text = "forges:\n  github:\n    secret: { env: GH }\nrepositories:\n  - repo: a/b   # x\n    forge: github\n    jobs: [{ job: b }]\n";
  const edited = addSecret(text, FILE, 0, "{ file: a-b.secret }", "github");
  assert.equal(edited, text.replace("  - repo: a/b   # x\n", "  - repo: a/b   # x\n    secret: [{ env: GH }, { file: a-b.secret }]\n"));
});

test("a block list is finished too; a list already there, or none to finish, is refused at its place", () => {
  const text = "repositories:\n  - repo: a/b\n    secret:\n      - old\n      - { env: NEW }\n    jobs: [{ job: b }]\n";
  const finished = keepLastSecret(text, FILE, 0);
  assert.deepEqual(read(finished.text).repositories[0], { repo: "a/b", secret: { env: "NEW" }, jobs: [{ job: "b" }] });
  assert.throws(() => addSecret(text, FILE, 0, "x", "github"), (error: unknown) => error instanceof ConfigError && /:4:7 .*--finish first/.test(error.message));
  assert.throws(() => keepLastSecret(finished.text, FILE, 0), (error: unknown) => error instanceof ConfigError && /no rotation to finish/.test(error.message));
});
