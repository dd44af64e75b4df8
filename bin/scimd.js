#!/usr/bin/env node
// The `scimd` executable: runs the built CLI (dist/ is built by `npm install` via "prepare").
import { runCli } from '../dist/cli/index.js';

process.exitCode = await runCli(process.argv.slice(2));
