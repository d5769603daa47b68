#!/usr/bin/env node
// Runs the pnpm version pinned in package.json's `packageManager`, without assuming a global
// pnpm: on a fresh machine with only Node.js and npm, `npx` fetches it from the npm registry.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const { packageManager } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const args = process.argv.slice(2);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const result = spawnSync(npx, ['--yes', packageManager, ...args], {
  stdio: 'inherit',
  cwd: new URL('.', root),
});
process.exit(result.status ?? 1);
