import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertArnInRegion, assertAwsRegion, type EndpointsFile } from '@residency/aws';
import { EmulatorHostError, LoadtestError } from '../errors.ts';
import { type HostMessage, NAIVE_VAULT_TABLE, type PluginsRef } from './host-protocol.ts';

/** Tables a run uses, by role. */
export interface TargetTables {
  vault: string;
  audit: string;
  aggregates: string;
  quarantine: string;
  /** The naive design's vault (key `pk` S). */
  naiveVault: string;
  [role: string]: string;
}

/** Where a run's AWS calls go: the local emulators (another process) or real AWS. */
export interface LoadtestTarget {
  mode: 'local' | 'aws';
  region: string;
  /** Endpoint overrides (local only). */
  endpoints?: EndpointsFile['endpoints'];
  /** The in-region customer managed key. */
  keyArn: string;
  tables: TargetTables;
  streams: { events: string; outbox: string; [role: string]: string };
  /** Account in ARNs. */
  accountId: string;
  /** The endpoints file of the local stack (local only): plugins' additions (control plane) included. */
  endpointsFile?: EndpointsFile;
  /** Plugins the local stack started (local only). */
  plugins: number;
  /** CPU time and RSS of the emulator process so far (local only). */
  hostUsage(): Promise<{ cpuMicros: number; rssBytes: number } | undefined>;
  /** Stops what the target started (nothing on AWS). */
  stop(): Promise<void>;
}

/** Options of {@link awsTarget}: names of resources that already exist in the data region. */
export interface AwsTargetOptions {
  region: string;
  keyArn: string;
  tables: Partial<TargetTables> & { vault: string; audit: string; naiveVault: string };
  streams: { events: string; outbox: string };
}

const READY_TIMEOUT_MILLIS = 60_000;

/**
 * Starts the local stack (kinesalite, dynalite, the KMS endpoint, the tables, streams and key of
 * `residency up`, plus the naive design's table) in a child process on a fresh temporary
 * directory, so the emulators' CPU is not the handler's. `stop()` ends the process and removes
 * the directory.
 *
 * @example const target = await startLocalTarget({ region: 'ap-south-1' }); await target.stop();
 */
export async function startLocalTarget(options: {
  region: string;
  plugins?: PluginsRef;
}): Promise<LoadtestTarget> {
  assertAwsRegion(options.region);
  const dataDir = await mkdtemp(join(tmpdir(), 'residency-loadtest-'));
  const require = createRequire(import.meta.url);
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const pluginArgs = options.plugins
    ? [options.plugins.module, options.plugins.exportName, JSON.stringify(options.plugins.options ?? {})]
    : [];
  const child = fork(
    new URL('./emulator-host.ts', import.meta.url),
    [dataDir, options.region, ...pluginArgs],
    {
      execArgv: ['--import', tsx],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const cleanup = async () => {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  let ready: Extract<HostMessage, { type: 'ready' }>;
  try {
    ready = await waitForReady(child, () => stderr);
  } catch (error) {
    await cleanup();
    throw error;
  }
  const file = ready.endpointsFile;
  let stopped: Promise<void> | undefined;
  return {
    mode: 'local',
    endpointsFile: file,
    plugins: ready.plugins,
    hostUsage: () => askUsage(child),
    region: options.region,
    endpoints: file.endpoints,
    keyArn: file.keyArn,
    accountId: file.accountId,
    tables: {
      ...file.tables,
      vault: required(file.tables, 'vault'),
      audit: required(file.tables, 'audit'),
      aggregates: required(file.tables, 'aggregates'),
      quarantine: required(file.tables, 'quarantine'),
      naiveVault: file.tables.naiveVault ?? NAIVE_VAULT_TABLE,
    },
    streams: {
      ...file.streams,
      events: required(file.streams, 'events'),
      outbox: required(file.streams, 'outbox'),
    },
    stop: () => {
      stopped ??= cleanup();
      return stopped;
    },
  };
}

/**
 * A target on real AWS: existing tables, streams and key in the data region (see the README).
 * Nothing is created or deleted; every call is billed.
 */
export function awsTarget(options: AwsTargetOptions): LoadtestTarget {
  assertAwsRegion(options.region);
  assertArnInRegion(options.keyArn, options.region, 'load-test KMS key');
  const accountId = options.keyArn.split(':')[4] ?? '';
  return {
    mode: 'aws',
    region: options.region,
    keyArn: options.keyArn,
    accountId,
    tables: {
      aggregates: 'residency-aggregates',
      quarantine: 'residency-quarantine',
      ...options.tables,
    },
    streams: options.streams,
    plugins: 0,
    hostUsage: async () => undefined,
    stop: async () => undefined,
  };
}

function required(record: Record<string, string>, role: string): string {
  const name = record[role];
  if (!name) throw new LoadtestError(`the local stack has no ${role}`, role);
  return name;
}

function askUsage(child: ChildProcess): Promise<{ cpuMicros: number; rssBytes: number } | undefined> {
  if (!child.connected) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      resolve(undefined);
    }, 2000);
    const onMessage = (message: HostMessage) => {
      if (message.type !== 'usage-report') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve({ cpuMicros: message.cpuMicros, rssBytes: message.rssBytes });
    };
    child.on('message', onMessage);
    child.send({ type: 'usage' } satisfies HostMessage);
  });
}

function waitForReady(
  child: ChildProcess,
  stderr: () => string,
): Promise<Extract<HostMessage, { type: 'ready' }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new EmulatorHostError(`local emulators did not start in ${READY_TIMEOUT_MILLIS} ms`));
    }, READY_TIMEOUT_MILLIS);
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: HostMessage) => {
      if (message.type === 'ready') {
        done();
        resolve(message);
      } else if (message.type === 'failed') {
        done();
        reject(new EmulatorHostError(`local emulators failed to start: ${message.message}`));
      }
    };
    const onExit = (code: number | null) => {
      done();
      reject(
        new EmulatorHostError(`local emulator process exited (${code}) before it was ready: ${stderr()}`),
      );
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.send({ type: 'stop' } satisfies HostMessage);
  else child.kill('SIGTERM');
  const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timeout);
}
