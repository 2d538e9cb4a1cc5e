import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { recordingLogger } from "../support/recording-logger.ts";

describe("the logger", () => {
  it("censors signature and token headers when a line carries request headers", () => {
    const { logger, lines } = recordingLogger();
    logger.info({
      headers: {
        "x-hub-signature-256": "sha256=abc",
        "X-Gitlab-Token": "glpat-secret",
        authorization: "Bearer x",
        "x-github-event": "push",
      },
    }, "a request");
    logger.flush();
    const headers = lines[0]!.headers as Record<string, string>;
    assert.deepEqual(headers, {
      "x-hub-signature-256": "[redacted]",
      "X-Gitlab-Token": "[redacted]",
      authorization: "[redacted]",
      "x-github-event": "push",
    });
    assert.doesNotMatch(JSON.stringify(lines), /abc|glpat-secret|Bearer/);
  });

  it("leaves a line without headers as it is", () => {
    const { logger, lines } = recordingLogger();
    logger.info({ forge: "github", status: 202 }, "queued");
    assert.equal(lines[0]!.forge, "github");
    assert.equal(lines[0]!.msg, "queued");
  });
});
