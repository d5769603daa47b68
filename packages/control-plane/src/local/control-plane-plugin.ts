import type { LocalStackPlugin } from '@residency/local';
import { type ControlPlaneServerOptions, startControlPlaneServer } from '../http/start-server.ts';

/**
 * The control plane as a `residency up` plugin: starts {@link startControlPlaneServer} with its own
 * dynalite persisted under `<dataDir>/control-plane`, and publishes its URL as
 * `endpoints.controlPlane` and its descriptor as `extra.controlPlane`.
 *
 * @example await startLocalStack({ dataDir, region, plugins: [controlPlanePlugin({ publicKeys })] });
 */
export function controlPlanePlugin(options: Omit<ControlPlaneServerOptions, 'dataDir'>): LocalStackPlugin {
  return async ({ dataDir }) => {
    const running = await startControlPlaneServer({ ...options, dataDir });
    return {
      stop: () => running.close(),
      endpoints: { controlPlane: running.url },
      extra: { controlPlane: running.descriptor },
    };
  };
}
