// The "nothing yet" advice: a `send` command that fits the config, with no secret in it.

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../../src/config/load-config.ts";
import { sendHint } from "../../src/ui/send-hint.ts";

const config = (yaml: string) => loadConfig("/etc/laminar-hooks/config.yml", { env: { GL: "gitlab-secret" }, readFile: () => yaml });

test("the first repository that is not a glob, its forge, a branch its push job takes, and the service's URL", () => {
  const hint = sendHint(config(`
forges:
  github: { secret: gh-secret }
  gitlab: { secret: { env: GL } }
repositories:
  - { repo: "acme/*", jobs: [{ job: all }] }
  - repo: acme/app
    forge: gitlab
    jobs: [{ job: app, events: [push], branches: ["release/*", "it's-main"] }]
`), "http://127.0.0.1:9090");
  assert.equal(hint, `laminar-hooks send --url http://127.0.0.1:9090/hooks --forge gitlab --repo acme/app --branch 'it'\\''s-main' --config /etc/laminar-hooks/config.yml`);
  assert.doesNotMatch(hint, /gh-secret|gitlab-secret/);
});

test("server.public_url wins over the page's own origin; a config without a plain repository says OWNER/NAME", () => {
  const hint = sendHint(config(`
server: { public_url: "https://ci.example.com/hooks" }
forges: { gitea: { secret: s } }
repositories: [{ repo: "*/*", jobs: [{ job: x }] }]
`), "http://127.0.0.1:1");
  assert.equal(hint, "laminar-hooks send --url https://ci.example.com/hooks --forge gitea --repo OWNER/NAME --config /etc/laminar-hooks/config.yml");
});
