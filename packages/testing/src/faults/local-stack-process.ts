import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EndpointsFile, EndpointsFileSchema } from '@residency/aws';
import { type ChildComponent, startChildProcess } from './child-process.ts';

/** Options of {@link startLocalStackProcess}. */
export interface LocalStackProcessOptions {
  dataDir: string;
  /** Default: ap-south-1. */
  region?: string;
  /** Shards per stream. Default: 2. */
  shardCount?: number;
  /** Default: 90000 (a cold `tsx` start on a busy machine). */
  startTimeoutMillis?: number;
}

/** The local stack in a child process. */
export interface LocalStackProcess extends ChildComponent {
  /** `endpoints.json` of the current run; the ports stay the same across restarts. */
  endpointsFile(): EndpointsFile;
}

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'local-stack-main.ts');
const READY = /^RESIDENCY_LOCAL_STACK_READY (.+)$/;

/**
 * Runs the local stack (kinesalite, dynalite, kms-local; streams, tables, key) in a child process,
 * so a test can `kill()` it with SIGKILL mid-run and `start()` it again on the same ports and data
 * directory: what a crashed `residency up` looks like, persistence included.
 *
 * @example
 * const up = await startLocalStackProcess({ dataDir });
 * const clients = createAwsClients(up.endpointsFile());
 * await up.kill();
 * await up.start(); // same endpoints, same data
 */
export async function startLocalStackProcess(options: LocalStackProcessOptions): Promise<LocalStackProcess> {
  let ports: { kinesis: number; dynamodb: number; kms: number } | undefined;
  const child = startChildProcess({
    name: 'local-stack-process',
    command: process.execPath,
    cwd: PACKAGE_DIR,
    args: () => [
      '--import',
      'tsx',
      MAIN,
      JSON.stringify({
        dataDir: options.dataDir,
        region: options.region ?? 'ap-south-1',
        ...(options.shardCount ? { shardCount: options.shardCount } : {}),
        ...(ports ? { ports } : {}),
      }),
    ],
    readyPattern: READY,
    startTimeoutMillis: options.startTimeoutMillis ?? 90_000,
  });
  const endpointsFile = () => {
    const json = child.ready?.[1];
    if (!json) throw new Error('the local stack process is not running');
    return EndpointsFileSchema.parse(JSON.parse(json));
  };
  await child.start();
  const first = endpointsFile().endpoints;
  const portOf = (url: string) => Number(new URL(url).port);
  ports = { kinesis: portOf(first.kinesis), dynamodb: portOf(first.dynamodb), kms: portOf(first.kms) };
  return Object.assign(child, { endpointsFile });
}
