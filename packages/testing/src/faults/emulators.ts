import { createKmsServer } from '@residency/kms-local';
import { startDynalite, startKinesalite } from '@residency/local';
import { type Bounceable, bounceable } from './bounceable.ts';
import { startFaultProxy } from './fault-proxy.ts';

/** The services of the local stack that run as in-process servers. */
export type EmulatedService = 'kinesis' | 'dynamodb' | 'kms';

/** An emulator that can be stopped and started again on the same port and data directory. */
export interface BounceableEmulator extends Bounceable {
  readonly service: EmulatedService;
  /** Stable across restarts. */
  readonly url: string;
  readonly port: number;
}

/** Options of {@link startBounceableEmulator}. */
export interface BounceableEmulatorOptions {
  region: string;
  /** Default: 000000000000. */
  accountId?: string;
  /** Persistent state (`DIR/kinesis`, `DIR/dynamodb`, `DIR/kms`): what survives a restart. */
  dataDir: string;
  /** Port on 127.0.0.1; 0 picks a free one at the first start and keeps it. Default: 0. */
  port?: number;
}

/**
 * Starts kinesalite, dynalite or kms-local in this process, restartable: `restart()` drops every
 * connection, closes the server and its database, and opens them again over the same data
 * directory behind the same port, so clients keep their endpoint and see what a crashed and
 * restarted service looks like (connections reset mid-request, refused while down, then the
 * persisted state).
 *
 * @example
 * const kinesis = await startBounceableEmulator('kinesis', { region: 'ap-south-1', dataDir });
 * await kinesis.restart();
 */
export async function startBounceableEmulator(
  service: EmulatedService,
  options: BounceableEmulatorOptions,
): Promise<BounceableEmulator> {
  let port = options.port ?? 0;
  const common = {
    region: options.region,
    accountId: options.accountId ?? '000000000000',
    dataDir: options.dataDir,
  };
  const inner = bounceable(service, async () => {
    const server =
      service === 'kinesis'
        ? await startKinesalite({ ...common, port: 0 })
        : service === 'dynamodb'
          ? await startDynalite({ ...common, port: 0 })
          : await createKmsServer({ ...common, port: 0, host: '127.0.0.1' });
    // Clients reach the emulator through a gate on the stable port. Stopping closes the gate first
    // (connections drop mid-request, as when a process dies), lets requests the emulator already
    // has finish (applied, answer lost), and only then closes the emulator: kinesalite closes its
    // database under requests still running and throws from their callbacks otherwise.
    const gate = await startFaultProxy({ target: server.url, port }).catch(async (error: unknown) => {
      await server.close();
      throw error;
    });
    port = gate.port;
    return {
      stop: async () => {
        await gate.close();
        await server.close();
      },
    };
  });
  await inner.start();
  return {
    service,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get name() {
      return inner.name;
    },
    get running() {
      return inner.running;
    },
    get restarts() {
      return inner.restarts;
    },
    start: inner.start,
    stop: inner.stop,
    restart: inner.restart,
  };
}
