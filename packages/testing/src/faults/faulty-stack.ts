import { rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type AwsClients,
  createAwsClients,
  ENDPOINTS_FILE_NAME,
  type EndpointsFile,
  EndpointsFileSchema,
} from '@residency/aws';
import {
  acquireDirectoryLock,
  type LocalResourceDefinitions,
  LocalResources,
  type LocalStackPlugin,
  startLocalStack,
} from '@residency/local';
import { type Bounceable, bounceable } from './bounceable.ts';
import { type BounceableEmulator, type EmulatedService, startBounceableEmulator } from './emulators.ts';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import type { FaultPlan } from './plan.ts';
import type { FaultStats } from './stats.ts';

/** Options of {@link startFaultyLocalStack}. */
export interface FaultyLocalStackOptions {
  /** Data directory (created if missing); everything persists there across restarts. */
  dataDir: string;
  /** Default: ap-south-1. */
  region?: string;
  /** Default: 000000000000. */
  accountId?: string;
  /** Shards per stream. Default: 2. */
  shardCount?: number;
  /** Default: `LocalResources`. */
  resources?: LocalResourceDefinitions;
}

/** A plugin (control plane, forwarder) started on the faulty stack, restartable. */
export interface BounceablePlugin extends Bounceable {
  /** The proxy in front of the plugin's `controlPlane` endpoint, when it has one. */
  readonly proxy: FaultProxy | undefined;
}

/** The local stack with a fault proxy in front of every emulator, and every part restartable. */
export interface FaultyLocalStack {
  readonly dataDir: string;
  readonly region: string;
  /** `DIR/endpoints.json` as the functions under test see it: the proxies' URLs. */
  readonly endpointsFile: EndpointsFile;
  readonly endpointsFilePath: string;
  /** The emulators' own URLs, for the test's setup and its oracle (no faults there). */
  readonly directEndpoints: EndpointsFile['endpoints'];
  readonly emulators: Readonly<Record<EmulatedService, BounceableEmulator>>;
  /** Proxies by name: `kinesis`, `dynamodb`, `kms`, and those of plugins (`controlPlane`). */
  readonly proxies: Readonly<Record<string, FaultProxy>>;
  /** Clients through the proxies (what the code under test should use). */
  proxiedClients(): AwsClients;
  /** Clients straight to the emulators. */
  directClients(): AwsClients;
  /** Sets one plan on every proxy (each seeded differently), or a plan per proxy name. */
  setFaults(plan: FaultPlan | Readonly<Record<string, FaultPlan>>): void;
  clearFaults(): void;
  stats(): Record<string, FaultStats>;
  /**
   * Starts a `residency up` plugin against the proxied stack. If it serves a `controlPlane`
   * endpoint, a fault proxy goes in front of it and `endpoints.json` names the proxy, so plugins
   * started after it (the forwarder) reach the control plane through faults too.
   */
  startPlugin(name: string, plugin: LocalStackPlugin): Promise<BounceablePlugin>;
  /** Stops plugins (reverse order), proxies, emulators; removes `endpoints.json` and the lock. Idempotent. */
  stop(): Promise<void>;
}

const SERVICES: readonly EmulatedService[] = ['kinesis', 'dynamodb', 'kms'];

/**
 * `residency up` for reliability tests: provisions the stack once with `startLocalStack`, then
 * serves the same data directory with restartable emulators, each behind a {@link FaultProxy}.
 * `endpoints.json` points at the proxies, so `createIngestFromEnv(envFromEndpointsFile(...))` and
 * plugins run unchanged against a stack that throttles, fails, stalls and restarts.
 *
 * @example
 * const stack = await startFaultyLocalStack({ dataDir });
 * stack.setFaults(mixedFaults({ probability: 0.1, seed: 3 }));
 * await stack.emulators.dynamodb.restart();
 * await stack.stop();
 */
export async function startFaultyLocalStack(options: FaultyLocalStackOptions): Promise<FaultyLocalStack> {
  const dataDir = resolve(options.dataDir);
  const region = options.region ?? 'ap-south-1';
  const accountId = options.accountId ?? '000000000000';
  const resources = options.resources ?? LocalResources;
  const provisioning = await startLocalStack({
    dataDir,
    region,
    accountId,
    resources,
    ...(options.shardCount ? { shardCount: options.shardCount } : {}),
  });
  const provisioned = provisioning.endpointsFile;
  await provisioning.stop();

  const cleanups: Array<() => Promise<void>> = [];
  const clientsToDestroy: AwsClients[] = [];
  const plugins: BounceablePlugin[] = [];
  const proxies: Record<string, FaultProxy> = {};
  const stopAll = async () => {
    for (const plugin of plugins.splice(0).reverse()) await plugin.stop().catch(() => undefined);
    for (const clients of clientsToDestroy.splice(0)) clients.destroy();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const lock = await acquireDirectoryLock(dataDir);
    cleanups.push(() => lock.release());
    const emulators = {} as Record<EmulatedService, BounceableEmulator>;
    for (const service of SERVICES) {
      const emulator = await startBounceableEmulator(service, { region, accountId, dataDir });
      cleanups.push(() => emulator.stop());
      emulators[service] = emulator;
      const proxy = await startFaultProxy({ target: emulator.url });
      cleanups.push(() => proxy.close());
      proxies[service] = proxy;
    }
    const endpointsFilePath = join(dataDir, ENDPOINTS_FILE_NAME);
    let endpointsFile = EndpointsFileSchema.parse({
      ...provisioned,
      pid: process.pid,
      endpoints: { kinesis: proxies.kinesis?.url, dynamodb: proxies.dynamodb?.url, kms: proxies.kms?.url },
    });
    const writeEndpoints = () => writeFile(endpointsFilePath, `${JSON.stringify(endpointsFile, null, 2)}\n`);
    await writeEndpoints();
    cleanups.push(() => rm(endpointsFilePath, { force: true }));
    const directEndpoints = {
      kinesis: emulators.kinesis.url,
      dynamodb: emulators.dynamodb.url,
      kms: emulators.kms.url,
    };
    const clientsFor = (endpoints: EndpointsFile['endpoints']) => {
      const clients = createAwsClients({ region, endpoints });
      clientsToDestroy.push(clients);
      return clients;
    };

    let stopped: Promise<void> | undefined;
    const stack: FaultyLocalStack = {
      dataDir,
      region,
      get endpointsFile() {
        return endpointsFile;
      },
      endpointsFilePath,
      directEndpoints,
      emulators,
      proxies,
      proxiedClients: () => clientsFor(endpointsFile.endpoints),
      directClients: () => clientsFor(directEndpoints),
      setFaults(plan) {
        const names = Object.keys(proxies);
        names.forEach((name, i) => {
          const own = isPlan(plan) ? { ...plan, seed: (plan.seed ?? 1) * 31 + i } : plan[name];
          if (own) proxies[name]?.setFaults(own);
          else proxies[name]?.clearFaults();
        });
      },
      clearFaults() {
        for (const proxy of Object.values(proxies)) proxy.clearFaults();
      },
      stats: () => Object.fromEntries(Object.entries(proxies).map(([name, proxy]) => [name, proxy.stats()])),
      async startPlugin(name, plugin) {
        let proxy: FaultProxy | undefined;
        const component = bounceable(name, async () => {
          const running = await plugin({
            dataDir,
            region,
            accountId,
            endpoints: endpointsFile,
            clients: clientsFor(endpointsFile.endpoints),
            resources,
          });
          const served = running.endpoints?.controlPlane;
          if (served) {
            if (proxy) proxy.setTarget(served);
            else {
              proxy = await startFaultProxy({ target: served });
              proxies[name] = proxy;
              cleanups.push(() => proxy?.close() ?? Promise.resolve());
            }
          }
          if (running.endpoints || running.extra) {
            endpointsFile = EndpointsFileSchema.parse({
              ...endpointsFile,
              endpoints: { ...endpointsFile.endpoints, ...(proxy ? { controlPlane: proxy.url } : {}) },
              ...(running.extra ? { extra: { ...endpointsFile.extra, ...running.extra } } : {}),
            });
            await writeEndpoints();
          }
          return running;
        });
        await component.start();
        const result = Object.defineProperty(component, 'proxy', {
          get: () => proxy,
          enumerable: true,
        }) as BounceablePlugin;
        plugins.push(result);
        return result;
      },
      stop() {
        stopped ??= stopAll();
        return stopped;
      },
    };
    return stack;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function isPlan(value: FaultPlan | Readonly<Record<string, FaultPlan>>): value is FaultPlan {
  return Array.isArray((value as FaultPlan).rules);
}
