import type { LocalStackPlugin } from '@residency/local';

/** Options of {@link localPipelinePlugins}. */
export interface PipelinePluginOptions {
  dataDir: string;
}

/**
 * The composition root of the local pipeline: which functions and servers `up` and `run` start
 * on top of the emulators, in order (control plane first, so the forwarder has somewhere to send).
 */
export function localPipelinePlugins(_options: PipelinePluginOptions): LocalStackPlugin[] {
  return [];
}
