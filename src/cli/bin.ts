#!/usr/bin/env node
/** The `medpipe` executable. */
import { main } from './cli.js';
import { lineWriter } from './stdio.js';

process.exitCode = await main(process.argv.slice(2), {
  out: lineWriter(process.stdout, 'stdout'),
  err: lineWriter(process.stderr, 'stderr'),
  stdout: process.stdout,
  cwd: process.cwd(),
});
