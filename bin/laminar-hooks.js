#!/usr/bin/env node
// Thin: the commands live in src/cli, built to dist/ by `npm ci` (prepare).
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
