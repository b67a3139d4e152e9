#!/usr/bin/env node
// create-runbook (npm create runbook): see create.ts
import { create } from './create.js';

process.exitCode = await create(process.argv.slice(2), { cwd: process.cwd(), stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
