import type { EndpointsFile } from '@residency/aws';
import type { PipelineEnv } from './env.ts';

/**
 * The environment the functions get on AWS, made from a local stack's `endpoints.json`: the same
 * handler code then runs against the emulators (`RESIDENCY_ENDPOINTS_FILE` points the clients at
 * them). `residency up` and tests use it; on AWS the stacks set these variables.
 *
 * @example const env = envFromEndpointsFile(stack.endpointsFile, stack.endpointsFilePath);
 */
export function envFromEndpointsFile(file: EndpointsFile, endpointsFilePath: string): PipelineEnv {
  const stream = (role: string) => file.streams[role];
  const table = (role: string) => file.tables[role];
  return {
    DATA_REGION: file.region,
    AWS_REGION: file.region,
    KEY_ARN: file.keyArn,
    RESIDENCY_ENDPOINTS_FILE: endpointsFilePath,
    EVENTS_STREAM_NAME: stream('events'),
    OUTBOX_STREAM_NAME: stream('outbox'),
    VAULT_TABLE: table('vault'),
    AUDIT_TABLE: table('audit'),
    AGGREGATES_TABLE: table('aggregates'),
    QUARANTINE_TABLE: table('quarantine'),
  };
}
