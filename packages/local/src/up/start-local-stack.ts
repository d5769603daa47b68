import { access, constants, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  ConfigurationError,
  createAwsClients,
  ENDPOINTS_FILE_NAME,
  type EndpointsFile,
  EndpointsFileSchema,
  isAwsRegion,
} from '@residency/aws';
import { createKmsServer } from '@residency/kms-local';
import { type RunningEmulator, startDynalite, startKinesalite } from '../emulators/in-process.ts';
import { DataDirectoryNotWritableError, InvalidRegionError } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { acquireDirectoryLock } from './directory-lock.ts';
import { type LocalResourceDefinitions, LocalResources, validateLocalResources } from './local-resources.ts';
import type { LocalStackContext, LocalStackPlugin } from './plugin.ts';
import { asPortError, assertPortFree } from './ports.ts';
import { provisionResources } from './provision.ts';

/** Options of {@link startLocalStack}. */
export interface StartLocalStackOptions {
  /** Directory for all persistent state (streams, tables, keys, checkpoints). Created if missing. */
  dataDir: string;
  /** The data region the emulators impersonate (ARNs, request signing), e.g. `ap-south-1`. */
  region: string;
  /** The 12-digit account in ARNs. Default: `000000000000`. */
  accountId?: string;
  /** Fixed loopback ports; 0 or absent picks a free one. Default: all free ports. */
  ports?: { kinesis?: number; dynamodb?: number; kms?: number };
  /** Shards of a stream created without its own `shardCount`. Default: 2. */
  shardCount?: number;
  /** What to provision. Default: {@link LocalResources}. */
  resources?: LocalResourceDefinitions;
  /** Started in order once the resources exist; stopped in reverse on stop. Default: none. */
  plugins?: LocalStackPlugin[];
}

/** A running local stack. */
export interface LocalStack {
  /** The content of `DIR/endpoints.json`. */
  endpointsFile: EndpointsFile;
  /** Absolute path of `DIR/endpoints.json`. */
  endpointsFilePath: string;
  /** Stops plugins, then the KMS endpoint, dynalite and kinesalite; removes `endpoints.json` and the lock. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_ACCOUNT_ID = '000000000000';
const DEFAULT_SHARD_COUNT = 2;

/**
 * `residency up` as a function: starts kinesalite, dynalite and the KMS endpoint in this process
 * on loopback, persistent under `dataDir`; creates the streams, tables and the KMS key with its
 * alias when missing; writes `DIR/endpoints.json` atomically; then starts the plugins. A second
 * stack on the same directory is refused while the first runs (`DIR/up.lock`).
 *
 * @example
 * const stack = await startLocalStack({ dataDir: '.residency', region: 'ap-south-1' });
 * const clients = createAwsClients(stack.endpointsFile);
 * // ...
 * await stack.stop();
 */
export async function startLocalStack(options: StartLocalStackOptions): Promise<LocalStack> {
  if (!isAwsRegion(options.region)) throw new InvalidRegionError(options.region);
  const accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
  if (!/^\d{12}$/.test(accountId))
    throw new ConfigurationError(`accountId '${accountId}' must be 12 digits`, 'accountId');
  const shardCount = options.shardCount ?? DEFAULT_SHARD_COUNT;
  if (!Number.isInteger(shardCount) || shardCount < 1) {
    throw new ConfigurationError('shardCount must be a positive integer', 'shardCount');
  }
  const resources = validateLocalResources(options.resources ?? LocalResources);
  const dataDir = resolve(options.dataDir);
  await ensureWritable(dataDir);

  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'stopping the local stack failed');
  };

  try {
    const lock = await acquireDirectoryLock(dataDir);
    cleanups.push(() => lock.release());

    const kinesis = await startEmulator('kinesis', options.ports?.kinesis ?? 0, (port) =>
      startKinesalite({ region: options.region, accountId, dataDir, port }),
    );
    cleanups.push(() => kinesis.close());
    const dynamodb = await startEmulator('dynamodb', options.ports?.dynamodb ?? 0, (port) =>
      startDynalite({ region: options.region, accountId, dataDir, port }),
    );
    cleanups.push(() => dynamodb.close());
    const kms = await startEmulator('kms', options.ports?.kms ?? 0, (port) =>
      createKmsServer({ region: options.region, accountId, dataDir, port, host: '127.0.0.1' }),
    );
    cleanups.push(() => kms.close());

    const endpoints = { kinesis: kinesis.url, dynamodb: dynamodb.url, kms: kms.url };
    const clients = createAwsClients({ region: options.region, endpoints });
    cleanups.push(async () => clients.destroy());

    const provisioned = await provisionResources(clients, resources, shardCount);
    const endpointsFilePath = join(dataDir, ENDPOINTS_FILE_NAME);
    let endpointsFile: EndpointsFile = EndpointsFileSchema.parse({
      region: options.region,
      accountId,
      pid: process.pid,
      endpoints,
      ...provisioned,
    });
    await writeFileAtomic(endpointsFilePath, `${JSON.stringify(endpointsFile, null, 2)}\n`);
    cleanups.push(() => rm(endpointsFilePath, { force: true }));

    for (const plugin of options.plugins ?? []) {
      const context: LocalStackContext = {
        dataDir,
        region: options.region,
        accountId,
        endpoints: endpointsFile,
        clients,
        resources,
      };
      const running = await plugin(context);
      cleanups.push(() => running.stop());
      if (running.endpoints || running.extra) {
        endpointsFile = EndpointsFileSchema.parse({
          ...endpointsFile,
          endpoints: { ...endpointsFile.endpoints, ...running.endpoints },
          ...(running.extra ? { extra: { ...endpointsFile.extra, ...running.extra } } : {}),
        });
        await writeFileAtomic(endpointsFilePath, `${JSON.stringify(endpointsFile, null, 2)}\n`);
      }
    }

    let stopped: Promise<void> | undefined;
    return {
      endpointsFile,
      endpointsFilePath,
      stop: () => {
        stopped ??= stopAll();
        return stopped;
      },
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

async function ensureWritable(dataDir: string): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true });
    await access(dataDir, constants.W_OK);
  } catch (cause) {
    throw new DataDirectoryNotWritableError(dataDir, { cause });
  }
}

async function startEmulator<T extends Pick<RunningEmulator, 'url' | 'close'>>(
  service: string,
  port: number,
  start: (port: number) => Promise<T>,
): Promise<T> {
  await assertPortFree(service, port);
  try {
    return await start(port);
  } catch (error) {
    throw asPortError(service, port, error);
  }
}
