#!/usr/bin/env node
// npm does not put a package's own `bin` into its node_modules/.bin, so `npx scimd`
// from the checkout would look for a registry package. Linking it here (run by
// "prepare" after every install) makes `npx scimd …` run this checkout's CLI.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';

mkdirSync('node_modules/.bin', { recursive: true });
rmSync('node_modules/.bin/scimd', { force: true });
symlinkSync('../../bin/scimd.js', 'node_modules/.bin/scimd');
