// Doctor's exit status and line format: problems fail it, warnings and notes do not.

import assert from "node:assert/strict";
import { test } from "node:test";
import { exitCodeFor, formatFinding, note, problem, warning } from "../../../src/cli/doctor/finding.ts";

test("warnings and notes leave the exit status 0; one problem makes it 1", () => {
  assert.equal(exitCodeFor([]), 0);
  assert.equal(exitCodeFor([warning("job a", "w", "fix"), note("laminar home", "n", "set it")]), 0);
  assert.equal(exitCodeFor([warning("job a", "w", "fix"), problem("job b", "p", "fix")]), 1);
});

test("a line says the severity, what it is about, what is wrong and what to do", () => {
  assert.equal(formatFinding(warning("job app", "cfg/jobs/app.env sets rev", "rename it")), "warning job app: cfg/jobs/app.env sets rev → rename it");
});
