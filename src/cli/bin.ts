#!/usr/bin/env node
/** The `medpipe` executable. */
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2), {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  stdout: process.stdout,
});
