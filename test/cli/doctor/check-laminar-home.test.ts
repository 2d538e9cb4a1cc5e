// Env files read as Laminar reads them, and which parameters they silently beat.

import assert from "node:assert/strict";
import { test } from "node:test";
import { checkLaminarHome, envFileNames } from "../../../src/cli/doctor/check-laminar-home.ts";
import type { ConfiguredJob } from "../../../src/cli/doctor/configured-jobs.ts";

test("env file names: split at the first '=', '#' lines skipped, nothing trimmed (src/conf.cpp)", () => {
  assert.deepEqual(envFileNames("#rev=x\nrev=a=b\nnoequals\n  branch=main\n\nPATH=/bin"), ["rev", "  branch", "PATH"]);
});

test("a job's own env file, cfg/env and a context's: only the parameters it gets are warned about", () => {
  const app: ConfiguredJob = { job: "app", host: "h", repos: ["acme/app"], params: new Set(["rev", "channel"]) };
  const other: ConfiguredJob = { job: "other", host: "h", repos: ["acme/other"], params: new Set(["rev"]) };
  const findings = checkLaminarHome({
    path: "/var/lib/laminar",
    runnable: new Set(["app"]),
    envFiles: [
      { path: "cfg/env", scope: { kind: "all" }, names: ["LANG"] },
      { path: "cfg/jobs/app.env", scope: { kind: "job", job: "app" }, names: ["channel", "CC"] },
    ],
  }, [app, other]);
  assert.deepEqual(findings.map((finding) => `${finding.severity} ${finding.subject}: ${finding.message.split(":")[0]}`), [
    "problem job other: /var/lib/laminar/cfg/jobs/other.run does not exist",
    "warning job app: cfg/jobs/app.env sets channel, so the parameter of that name never reaches the run",
  ]);
});
