import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A static asset the control plane serves under `/assets/`. */
export interface Asset {
  contentType: string;
  body: Buffer;
}

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

// Chart.js's package exports do not list the UMD build: find it next to the main entry.
const chartJsPath = () => join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');

const SOURCES: Record<string, { contentType: string; path: () => string }> = {
  'chart.umd.min.js': { contentType: 'text/javascript; charset=utf-8', path: chartJsPath },
  'dashboard.js': {
    contentType: 'text/javascript; charset=utf-8',
    path: () => join(here, 'dashboard.client.js'),
  },
  'dashboard.css': { contentType: 'text/css; charset=utf-8', path: () => join(here, 'dashboard.css') },
};

const cache = new Map<string, Promise<Asset>>();

/**
 * Loads a dashboard asset by name (bundled with the package, read once and cached), or undefined.
 * On Lambda the function's bundle must include these files (see the package README).
 */
export function loadAsset(name: string): Promise<Asset> | undefined {
  const source = SOURCES[name];
  if (!source) return undefined;
  let asset = cache.get(name);
  if (!asset) {
    asset = readFile(source.path()).then((body) => ({ contentType: source.contentType, body }));
    asset.catch(() => cache.delete(name));
    cache.set(name, asset);
  }
  return asset;
}
