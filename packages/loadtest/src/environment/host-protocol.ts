import type { EndpointsFile } from '@residency/aws';

/** The naive design's own vault table (key `pk` S), next to the real vault's tables. */
export const NAIVE_VAULT_TABLE = 'residency-naive-vault';

/** Where the host finds the plugins to start on the stack: a module and a named export `(options: { dataDir }) => LocalStackPlugin[]`. */
export interface PluginsRef {
  /** A file URL or package specifier. */
  module: string;
  /** The export to call, e.g. `localPipelinePlugins`. */
  exportName: string;
  /** More options for the export besides `dataDir` (JSON), e.g. `{ logLevel: 'WARN' }`. */
  options?: Record<string, unknown>;
}

/** Messages between the runner and its emulator host process. */
export type HostMessage =
  | { type: 'ready'; endpointsFile: EndpointsFile; endpointsFilePath: string; plugins: number }
  | { type: 'failed'; message: string }
  | { type: 'usage' }
  | { type: 'usage-report'; cpuMicros: number; rssBytes: number }
  | { type: 'stop' };
