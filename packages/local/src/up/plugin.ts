import type { AwsClients, EndpointsFile } from '@residency/aws';
import type { LocalResourceDefinitions } from './local-resources.ts';

/** What a plugin sees of the running stack. */
export interface LocalStackContext {
  dataDir: string;
  region: string;
  accountId: string;
  /** The endpoints file as written so far (earlier plugins' additions included). */
  endpoints: EndpointsFile;
  /** Clients for the local emulators, shared; the stack destroys them on stop. */
  clients: AwsClients;
  resources: LocalResourceDefinitions;
}

/** A started plugin: how to stop it, and what it adds to `endpoints.json`. */
export interface RunningPlugin {
  /** Stops what the plugin started (event source mappings, servers). Called in reverse start order. */
  stop(): Promise<void>;
  /** Endpoints the plugin serves, e.g. `{ controlPlane: 'http://127.0.0.1:4010' }`. */
  endpoints?: { controlPlane?: string };
  /** Anything else for `endpoints.json` `extra` (control-plane key ids, ...). */
  extra?: Record<string, unknown>;
}

/**
 * The hook through which later issues plug into `residency up`: the pipeline's functions (event
 * source mappings on the local streams) and the control plane. Plugins start in order after the
 * resources exist and `endpoints.json` is written; each sees what earlier ones added.
 *
 * @example
 * const pipeline: LocalStackPlugin = async ({ clients, endpoints, dataDir }) => {
 *   const ingest = createEventSourceMapping({
 *     kinesis: clients.kinesis,
 *     streamName: endpoints.streams.events ?? 'residency-events',
 *     handler,
 *     startingPosition: 'TRIM_HORIZON',
 *     checkpointStore: createFileCheckpointStore({ directory: join(dataDir, 'checkpoints') }),
 *   });
 *   await ingest.start();
 *   return { stop: () => ingest.stop() };
 * };
 * await startLocalStack({ dataDir, region: 'ap-south-1', plugins: [pipeline] });
 */
export type LocalStackPlugin = (stack: LocalStackContext) => Promise<RunningPlugin>;
