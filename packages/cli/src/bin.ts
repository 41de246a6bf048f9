#!/usr/bin/env node
import { run } from './run.js';

// Long-running commands (serve, watch) keep the process alive after `run` returns.
process.exitCode = await run(process.argv);
