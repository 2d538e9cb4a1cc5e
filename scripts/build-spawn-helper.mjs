// Compiles the native spawn helper (src/laminar/spawn-helper.c and spawn-helper-runs.c) into
// build/spawn-helper, as part of `npm ci` (the `prepare` script). Without a C compiler the service
// still works: it starts laminarc through the Node helper (src/laminar/spawn-helper.ts), which
// takes ~60 MB more memory and ~1 ms more per laminarc call. CC picks the compiler (default: cc).
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
  console.warn(`laminar-hooks: the native spawn helper was not built (${why}); laminarc will be started by the Node helper, which uses more memory. Install a C compiler (Debian: apt-get install gcc) and run npm run build to build it.`);
}
