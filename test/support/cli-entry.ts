// The CLI as bin/laminar-hooks.js runs it, but from the sources (bin/ runs the build in dist/).
import { main } from "../../src/cli/main.ts";

process.exitCode = await main(process.argv.slice(2));
