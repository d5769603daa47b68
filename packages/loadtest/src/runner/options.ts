import type { OutboxChoice } from '../environment/clients.ts';
import type { PluginsRef } from '../environment/host-protocol.ts';
import type { AwsTargetOptions } from '../environment/target.ts';
import { LoadtestError } from '../errors.ts';
import { DEFAULT_MIX, type EventMix } from '../generator/index.ts';
import type { Progress } from '../progress.ts';
import type { ScenarioName } from '../report/types.ts';

/** Every scenario, in the order a run performs them. */
export const ALL_SCENARIOS: readonly ScenarioName[] = ['ceiling', 'hotpath', 'naive', 'e2e'];

/** Options of {@link runLoadtest}. Each default is what `pnpm bench` uses. */
export interface LoadtestOptions {
  /** Scenarios to run. Default: all four. */
  scenarios?: readonly ScenarioName[];
  /** Events of the ceiling and the hot path's cold pass; each warm pass repeats them. Default: 8,000. */
  events?: number;
  /** Events of the naive design (the first of the same events). Default: 1,500. */
  naiveEvents?: number;
  /** Events of the e2e scenario. Default: 2,000. */
  e2eEvents?: number;
  /** Events per second the e2e producer aims at; absent means flat out. Default: flat out. */
  e2eRate?: number;
  /** Records per Lambda invocation (cut earlier at 6 MB). Default: 2,500. */
  batchSize?: number;
  /** Warm hot-path passes measured together (events × this many warm events). Default: 4. */
  warmRepeats?: number;
  /**
   * Warm hot-path measurements, each of `warmRepeats` passes; the one with the median throughput is
   * reported, and every one's throughput is noted (a shared machine varies by a fifth). Default: 5.
   */
  warmMeasurements?: number;
  /** Event ids the aggregates keep per (window, shard) (the ingest's `AGGREGATE_RECENT_EVENTS`). Default: 20,000. */
  recentEvents?: number;
  /** Measure the cold passes (fresh vault, empty cache). Default: true. */
  cold?: boolean;
  /** Generator seed. Default: 1. */
  seed?: number;
  /** Patients known before the first event. Default: 2,000. */
  initialPatients?: number;
  /** Zipf exponent of patient popularity. Default: 1.1. */
  zipfExponent?: number;
  /** Event type weights. Default: the generator's mix. */
  mix?: Partial<EventMix>;
  /** Share of producer canary events mixed in. Default: 0. */
  canaryShare?: number;
  /** The data region. Default: `ap-south-1`. */
  region?: string;
  /**
   * Where the e2e scenario finds the local pipeline's plugins (ingest mapping, forwarder, control
   * plane): a module and an export `({ dataDir }) => LocalStackPlugin[]`. The CLI passes its own
   * composition root. Default: none (e2e is skipped).
   */
  e2ePlugins?: PluginsRef;
  /** Real AWS resources instead of the local emulators. Default: local. */
  aws?: Omit<AwsTargetOptions, 'region'>;
  /** The hot path's handler: the pipeline's ingest handler, or the core composition (a reference without quarantine, aggregates, logs, metrics). Default: `pipeline`. */
  handler?: 'pipeline' | 'core-composition';
  /** Where outbox records go: `null-http` (SDK with a local answering handler) or `stream` (the target's outbox stream). Default: `null-http`. */
  outbox?: OutboxChoice;
  /** Lambda memory for GB-second pricing (1,769 MB is one full vCPU). Default: 1769. */
  lambdaMemoryMb?: number;
  /** Price table region. Default: the data region. */
  priceRegion?: string;
  /** Time per ceiling primitive. Default: 400 ms. */
  ceilingMillisPerPrimitive?: number;
  progress?: Progress;
}

export const DEFAULTS: Required<
  Pick<
    LoadtestOptions,
    | 'events'
    | 'naiveEvents'
    | 'e2eEvents'
    | 'batchSize'
    | 'warmRepeats'
    | 'warmMeasurements'
    | 'recentEvents'
    | 'seed'
    | 'initialPatients'
    | 'zipfExponent'
    | 'region'
    | 'lambdaMemoryMb'
  >
> = {
  events: 8000,
  naiveEvents: 1500,
  e2eEvents: 2000,
  batchSize: 2500,
  warmRepeats: 4,
  warmMeasurements: 5,
  recentEvents: 20_000,
  seed: 1,
  initialPatients: 2000,
  zipfExponent: 1.1,
  region: 'ap-south-1',
  lambdaMemoryMb: 1769,
};

/** The options with defaults applied. */
export type ResolvedOptions = typeof DEFAULTS & LoadtestOptions;

/** Applies the defaults and checks the sizes; a {@link LoadtestError} names the bad option. */
export function resolveOptions(options: LoadtestOptions): ResolvedOptions {
  const resolved = { ...DEFAULTS, ...definedOnly(options) };
  validate(resolved);
  return resolved;
}

function validate(o: ResolvedOptions): void {
  const positive = (value: number, name: string, max = Number.MAX_SAFE_INTEGER) => {
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new LoadtestError(`${name} must be an integer from 1 to ${max}`, name);
    }
  };
  positive(o.events, '--events', 5_000_000);
  positive(o.naiveEvents, '--naive-events', 1_000_000);
  positive(o.e2eEvents, '--e2e-events', 5_000_000);
  positive(o.batchSize, '--batch-size', 10_000);
  positive(o.warmRepeats, '--warm-repeats', 100);
  positive(o.warmMeasurements, '--warm-measurements', 9);
  if (!Number.isInteger(o.recentEvents) || o.recentEvents < 1_000 || o.recentEvents > 200_000)
    throw new LoadtestError('--recent-events must be an integer from 1000 to 200000', '--recent-events');
  positive(o.lambdaMemoryMb, '--lambda-memory', 10_240);
  if (o.e2eRate !== undefined && !(o.e2eRate > 0))
    throw new LoadtestError('--rate must be positive', '--rate');
  if (o.canaryShare !== undefined && (o.canaryShare < 0 || o.canaryShare > 0.5)) {
    throw new LoadtestError('--canaries must be a share from 0 to 0.5', '--canaries');
  }
  for (const [type, weight] of Object.entries(o.mix ?? {})) {
    if (!(type in DEFAULT_MIX) || !(Number(weight) >= 0)) {
      throw new LoadtestError(`--mix: unknown event type or negative weight: ${type}`, '--mix');
    }
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
