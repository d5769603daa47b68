import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EndpointsFile } from '@residency/aws';
import { type LocalStack, startLocalStack } from '@residency/local';

/** The data region every border test stack impersonates. */
export const REGION = 'ap-south-1';

/** A local stack (dynalite, kinesalite, the repo's KMS) on free loopback ports, in a directory of its own. */
export interface ForwarderStack {
  file: EndpointsFile;
  /** The forwarder's resource settings, by name, with this stack's key. */
  resources(): {
    KEY_ARN: string;
    OUTBOX_STREAM_NAME: string;
    QUARANTINE_TABLE: string;
    EGRESS_LOG_TABLE: string;
  };
  /** The SDK's endpoint settings that send DynamoDB, Kinesis and KMS calls to this stack. */
  endpoints(): {
    AWS_ENDPOINT_URL_DYNAMODB: string;
    AWS_ENDPOINT_URL_KINESIS: string;
    AWS_ENDPOINT_URL_KMS: string;
  };
  /** The ARN of a table (`table/<name>`) or stream (`stream/<name>`) of this stack. */
  arnOf(service: 'dynamodb' | 'kinesis', resource: string): string;
  /**
   * The forwarder's environment in local mode against this stack: plain http to a loopback origin
   * (default `http://127.0.0.1:4010`), the signing key from `keyFile`.
   */
  localModeEnv(keyFile: string, origin?: string): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts `residency up`'s stack for one account in {@link REGION}: the tables and streams of
 * `LocalResources` (among them the quarantine, the egress log and the outbox) and the data key.
 */
export async function startForwarderStack(accountId = '000000000000'): Promise<ForwarderStack> {
  const dataDir = await mkdtemp(join(tmpdir(), `border-stack-${accountId}-`));
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ dataDir, region: REGION, accountId, shardCount: 1 });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const file = stack.endpointsFile;
  const named = (names: Record<string, string>, role: string) => {
    const name = names[role];
    if (!name) throw new Error(`the local stack has no ${role}`);
    return name;
  };
  const resources = () => ({
    KEY_ARN: file.keyArn,
    OUTBOX_STREAM_NAME: named(file.streams, 'outbox'),
    QUARANTINE_TABLE: named(file.tables, 'quarantine'),
    EGRESS_LOG_TABLE: named(file.tables, 'egressLog'),
  });
  const endpoints = () => ({
    AWS_ENDPOINT_URL_DYNAMODB: file.endpoints.dynamodb,
    AWS_ENDPOINT_URL_KINESIS: file.endpoints.kinesis,
    AWS_ENDPOINT_URL_KMS: file.endpoints.kms,
  });
  return {
    file,
    resources,
    endpoints,
    arnOf: (service, resource) => `arn:aws:${service}:${file.region}:${file.accountId}:${resource}`,
    localModeEnv(keyFile, origin = 'http://127.0.0.1:4010') {
      return {
        DATA_REGION: REGION,
        AWS_REGION: REGION,
        ...resources(),
        ...endpoints(),
        CONTROL_PLANE_ORIGIN: origin,
        SIGNING_KEY_FILE: keyFile,
        RESIDENCY_LOCAL_MODE: '1',
      };
    },
    async stop() {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** SSM Parameter Store on loopback, serving one SecureString to any GetParameter. */
export interface FakeParameterStore {
  url: string;
  /** The `X-Amz-Target` of every request, in order. */
  calls: string[];
  /** The `Parameter.ARN` of the answer (real SSM always sets one). Default: none. */
  arn: string | undefined;
  close(): Promise<void>;
}

/** Starts a {@link FakeParameterStore} holding `value` (the local stack has no SSM). */
export async function startParameterStore(value: string): Promise<FakeParameterStore> {
  const store: Omit<FakeParameterStore, 'url' | 'close'> = { calls: [], arn: undefined };
  const server = createServer((req, res) => {
    store.calls.push(String(req.headers['x-amz-target']));
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    const parameter = { Name: '/p', Type: 'SecureString', Value: value };
    res.end(JSON.stringify({ Parameter: store.arn ? { ...parameter, ARN: store.arn } : parameter }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(store, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
