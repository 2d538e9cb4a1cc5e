#!/usr/bin/env -S node --max-semi-space-size=4
// Thin: the commands live in src/cli, built to dist/ by `npm ci` (prepare).
//
// --max-semi-space-size=4: V8's young generation at 8 MB instead of 32 MB keeps the service ~20 MB
// smaller under load, at no throughput cost the bench could tell from its noise (bench/README.md).
// `npm start` and the systemd unit pass it too; it can only be given when node starts.
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
