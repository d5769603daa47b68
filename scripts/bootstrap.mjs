#!/usr/bin/env node
// Installs the workspace with the pinned pnpm (frozen lockfile, so a fresh clone gets exactly
// what was tested). Cheap when node_modules is already up to date.
import { spawnSync } from 'node:child_process';

const result = spawnSync(
  process.execPath,
  [new URL('pnpm.mjs', import.meta.url).pathname, 'install', '--frozen-lockfile'],
  {
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
