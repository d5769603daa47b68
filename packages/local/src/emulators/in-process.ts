/// <reference path="./modules.d.ts" />
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';

/** A running emulator on loopback. */
export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Options shared by the in-process emulators. */
export interface EmulatorOptions {
  /** Region the emulator writes into ARNs. */
  region: string;
  /** 12-digit account the emulator writes into ARNs (read once, when its database is created). Default: 000000000000. */
  accountId?: string;
  /** Directory for persistent data; omit for in-memory. */
  dataDir?: string;
  /** Port on 127.0.0.1; 0 picks a free one. Default: 0. */
  port?: number;
}

async function listen(server: Server, port: number): Promise<RunningEmulator> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // The emulators close their database in close(); without this a persistent one stays locked.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

// Both emulators read the region and account from the environment once, when the database is
// created (kinesalite db/index.js, dynalite db/index.js), so set them around the factory call only.
function withRegion<T>(options: EmulatorOptions, create: () => T): T {
  const saved = {
    AWS_REGION: process.env.AWS_REGION,
    AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION,
    AWS_ACCOUNT_ID: process.env.AWS_ACCOUNT_ID,
  };
  process.env.AWS_REGION = options.region;
  process.env.AWS_DEFAULT_REGION = options.region;
  process.env.AWS_ACCOUNT_ID = options.accountId ?? '000000000000';
  try {
    return create();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** Starts dynalite (DynamoDB) in this process on loopback. */
export function startDynalite(options: EmulatorOptions): Promise<RunningEmulator> {
  const server = withRegion(options, () =>
    dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      ...(options.dataDir ? { path: join(options.dataDir, 'dynamodb') } : {}),
    }),
  );
  return listen(server, options.port ?? 0);
}

/** Starts kinesalite (Kinesis) in this process on loopback. */
export function startKinesalite(options: EmulatorOptions): Promise<RunningEmulator> {
  const server = withRegion(options, () =>
    kinesalite({
      createStreamMs: 0,
      deleteStreamMs: 0,
      updateStreamMs: 0,
      shardLimit: 1000,
      ...(options.dataDir ? { path: join(options.dataDir, 'kinesis') } : {}),
    }),
  );
  return listen(server, options.port ?? 0);
}
