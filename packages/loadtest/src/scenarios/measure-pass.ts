import type { KinesisStreamEvent } from 'aws-lambda';
import type { MeasuredClients } from '../environment/clients.ts';
import { createLatencyRecorder } from '../measure/latency.ts';
import type { PortMeter } from '../measure/port-meter.ts';
import { startResourceMeter } from '../measure/resources.ts';
import type { Progress } from '../progress.ts';
import type { PhaseCost, ThroughputResult } from './results.ts';

/** What a design's invocation reports back. */
export interface InvocationOutcome {
  /** Records the design rejected as invalid. */
  invalid: number;
  /** Records the design reported as failed (partial batch failure). */
  failed: number;
}

/** A design under test, invoked like Lambda invokes a Kinesis handler: one batch at a time. */
export type Invoke = (event: KinesisStreamEvent) => Promise<InvocationOutcome>;

/** Options of {@link measurePass}. */
export interface PassOptions {
  /** e.g. `hotpath.warm`. */
  name: string;
  batches: readonly KinesisStreamEvent[];
  invoke: Invoke;
  clients: MeasuredClients;
  progress: Progress;
  /** The design's timed ports, when it has them: the pass reports where its time went. */
  ports?: PortMeter;
  notes?: string[];
}

/**
 * Invokes a design on every batch in order, one at a time (one shard, one Lambda instance, one
 * core), and measures throughput, per-invocation latency, CPU per event, peak RSS and the
 * API calls and billable units of the pass only (the counters are reset first).
 */
export async function measurePass(options: PassOptions): Promise<ThroughputResult> {
  const events = options.batches.reduce((sum, batch) => sum + batch.Records.length, 0);
  const latency = createLatencyRecorder();
  options.clients.reset();
  options.ports?.reset();
  options.progress.start(options.name, events);
  let invalid = 0;
  let failed = 0;
  let billedMillis = 0;
  const meter = startResourceMeter();
  const loop = performance.eventLoopUtilization();
  for (const batch of options.batches) {
    const start = performance.now();
    const outcome = await options.invoke(batch);
    const millis = performance.now() - start;
    latency.record(millis);
    billedMillis += Math.ceil(millis);
    invalid += outcome.invalid;
    failed += outcome.failed;
    meter.sample();
    options.progress.advance(batch.Records.length);
  }
  const usage = meter.stop();
  const { idle } = performance.eventLoopUtilization(loop);
  options.progress.done();
  const notes = [...(options.notes ?? [])];
  if (failed > 0) notes.push(`${failed} records reported as failed by the handler`);
  return {
    name: options.name,
    events,
    invalidEvents: invalid,
    batches: options.batches.length,
    elapsedMillis: round(usage.wallMillis),
    eventsPerSecond: Math.round((events * 1000) / Math.max(usage.wallMillis, 0.001)),
    latencyUnit: 'batch',
    latencyMillis: latency.summary(),
    cpuMicrosPerEvent: round(usage.cpuMicros / Math.max(1, events)),
    waitMicrosPerEvent: round((idle * 1000) / Math.max(1, events)),
    peakRssBytes: usage.peakRssBytes,
    apiCalls: options.clients.calls.snapshot(),
    units: options.clients.billing.snapshot(),
    lambdaBilledMillis: billedMillis,
    outbox: options.clients.outboxMode,
    ...(options.ports ? { phases: phasesOf(options.ports, usage, events, options.batches.length) } : {}),
    notes,
  };
}

function phasesOf(
  ports: PortMeter,
  usage: { cpuMicros: number; wallMillis: number },
  events: number,
  invocations: number,
): Record<string, PhaseCost> {
  const perEvent = (micros: number) => round(micros / Math.max(1, events));
  const phases: Record<string, PhaseCost> = {};
  let cpu = 0;
  let wall = 0;
  for (const [name, time] of Object.entries(ports.snapshot())) {
    cpu += time.cpuMicros;
    wall += time.wallMillis * 1000;
    phases[name] = {
      calls: time.calls,
      cpuMicrosPerEvent: perEvent(time.cpuMicros),
      wallMicrosPerEvent: perEvent(time.wallMillis * 1000),
    };
  }
  phases.handler = {
    calls: invocations,
    cpuMicrosPerEvent: perEvent(Math.max(0, usage.cpuMicros - cpu)),
    wallMicrosPerEvent: perEvent(Math.max(0, usage.wallMillis * 1000 - wall)),
  };
  return phases;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
