import assert from "node:assert/strict";
import { test } from "node:test";
import { redactUrl } from "../../src/catch-up/redact-url.ts";

test("userinfo of an http(s) URL goes: it may be a password or a token", () => {
  assert.equal(redactUrl("https://alice:hunter2@git.example.com/acme/app.git"), "https://git.example.com/acme/app.git");
  assert.equal(redactUrl("https://ghp_abc123@github.com/acme/app.git"), "https://github.com/acme/app.git");
  assert.equal(redactUrl("http://oauth2:glpat-x@gitlab.example.com:8080/g/p.git"), "http://gitlab.example.com:8080/g/p.git");
});

test("an ssh login name stays; a password with it goes", () => {
  assert.equal(redactUrl("ssh://git@github.com/acme/app.git"), "ssh://git@github.com/acme/app.git");
  assert.equal(redactUrl("ssh://git:secret@host.example/app.git"), "ssh://git@host.example/app.git");
  assert.equal(redactUrl("git@github.com:acme/app.git"), "git@github.com:acme/app.git");
});

test("URLs without userinfo and local paths are unchanged; an @ in the path is not userinfo", () => {
  for (const url of ["https://github.com/acme/app.git", "file:///srv/git/app.git", "/srv/git/app.git", "https://host.example/a/b@c.git"]) {
    assert.equal(redactUrl(url), url);
  }
});
