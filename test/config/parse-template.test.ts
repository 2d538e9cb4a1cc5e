import assert from "node:assert/strict";
import { test } from "node:test";
import { parseTemplate } from "../../src/config/parse-template.ts";

function parts(source: string) {
  const parsed = parseTemplate(source);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.equal(parsed.template.source, source);
  return parsed.template.parts;
}

function problems(source: string): string[] {
  const parsed = parseTemplate(source);
  assert.ok(!parsed.ok, `expected "${source}" to be refused`);
  return parsed.problems.map((problem) => problem.message);
}

test("text without placeholders is one text part; single braces are text", () => {
  assert.deepEqual(parts("stable"), [{ kind: "text", text: "stable" }]);
  assert.deepEqual(parts('{"a": 1}'), [{ kind: "text", text: '{"a": 1}' }]);
  assert.deepEqual(parts(""), []);
});

test("built-in names and payload paths, with or without spaces", () => {
  assert.deepEqual(parts("v{{ tag }}-{{rev}}"), [
    { kind: "text", text: "v" },
    { kind: "param", name: "tag" },
    { kind: "text", text: "-" },
    { kind: "param", name: "rev" },
  ]);
  assert.deepEqual(parts("{{ payload.commits.0.author.name }}"), [
    { kind: "payload", path: ["commits", "0", "author", "name"] },
  ]);
  assert.deepEqual(parts("{{  payload.object_attributes.iid  }}!"), [
    { kind: "payload", path: ["object_attributes", "iid"] },
    { kind: "text", text: "!" },
  ]);
});

test("unknown names, bad paths and unbalanced braces are refused with what to write instead", () => {
  assert.deepEqual(problems("{{ branhc }}"), [
    `{{ branhc }}: unknown name "branhc"; use one of rev, ref, branch, tag, before, repo, clone_url, ssh_url, event, forge, pr, base_branch, sender, delivery or payload.FIELD`,
  ]);
  assert.deepEqual(problems("{{ payload }}"), ["{{ payload }}: the whole payload is not one value; name a field, as in payload.repository.name"]);
  assert.deepEqual(problems("{{ payload.commits[0].id }}"), ["{{ payload.commits[0].id }}: array indexes are written as numbers between dots, as in payload.commits.0.id"]);
  assert.deepEqual(problems("{{ payload.a..b }}"), ["{{ payload.a..b }}: empty field name in the path"]);
  assert.deepEqual(problems("{{ payload. }}"), ["{{ payload. }}: empty field name in the path"]);
  assert.deepEqual(problems("{{ }}"), ["{{ }}: empty placeholder; name a built-in parameter or payload.FIELD"]);
  assert.deepEqual(problems("v{{ tag"), [`"{{" is never closed with "}}"`]);
  assert.deepEqual(problems("v{ tag }}"), [`"}}" without an opening "{{"`]);
  assert.deepEqual(problems("{{{ tag }}}"), ["{{{ tag }}: unbalanced braces"]);
  assert.deepEqual(problems("{{ tag }} {{ nope }} {{ payload }}").length, 2, "every problem of a value is reported");
});

test("a payload field that carries the hook's secret cannot be named: laminar-hooks removes it", () => {
  const removed = "carries the hook's secret; laminar-hooks removes it from every payload and never passes it to a job";
  assert.deepEqual(problems("{{ payload.secret }}"), [`{{ payload.secret }}: payload.secret ${removed}`]);
  assert.deepEqual(problems("x{{ payload.hook.config.url }}"), [`{{ payload.hook.config.url }}: payload.hook.config ${removed}`]);
  assert.deepEqual(problems("{{ payload.hook.config }}"), [`{{ payload.hook.config }}: payload.hook.config ${removed}`]);
  // Only those paths: a field that merely has the word in it is the payload's own.
  assert.deepEqual(parts("{{ payload.hook.id }}{{ payload.repository.secret_scanning }}"), [
    { kind: "payload", path: ["hook", "id"] },
    { kind: "payload", path: ["repository", "secret_scanning"] },
  ]);
});

test("a problem says where in the value it is", () => {
  const parsed = parseTemplate("x-{{ rev }}-{{ oops }}");
  assert.ok(!parsed.ok);
  assert.deepEqual(parsed.problems.map(({ needle, offset }) => ({ needle, offset })), [{ needle: "{{ oops }}", offset: 0 }]);
  const stray = parseTemplate("{{ rev }} and }}");
  assert.ok(!stray.ok);
  assert.deepEqual(stray.problems.map(({ needle, offset }) => ({ needle, offset })), [{ needle: " and }}", offset: 5 }]);
});
