// Compiles the spawn helper (src/laminar/spawn-helper.c and spawn-helper-runs.c) into
// build/spawn-helper, as part of `npm ci` (the `prepare` script) and `npm run build`. The service
// starts every laminarc through it and cannot run without it, so a build without a C compiler
// fails here, loudly, rather than at the first delivery. CC picks the compiler (default: cc).
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const sources = ["spawn-helper.c", "spawn-helper-runs.c"].map((name) => fileURLToPath(new URL(`../src/laminar/${name}`, import.meta.url)));
const output = fileURLToPath(new URL("../build/spawn-helper", import.meta.url));
const compiler = process.env.CC || "cc";

mkdirSync(fileURLToPath(new URL("../build/", import.meta.url)), { recursive: true });
// A binary left from an older source must not outlive a failed build.
rmSync(output, { force: true });
const result = spawnSync(compiler, ["-O2", "-Wall", "-Wextra", "-std=c11", "-o", output, ...sources], { stdio: "inherit" });
if (result.error !== undefined || result.status !== 0) {
  const why = result.error !== undefined ? result.error.message : `${compiler} exited with ${result.status ?? result.signal}`;
  console.error(`laminar-hooks: the spawn helper (build/spawn-helper), which starts every laminarc, could not be built: ${why}.
Install a C compiler (Debian/Ubuntu: apt-get install gcc; Alpine: apk add gcc musl-dev; Fedora: dnf install gcc), or set CC to one, then run npm ci (or npm run build) again.`);
  process.exit(1);
}
