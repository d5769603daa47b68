import { randomBytes } from 'node:crypto';
import { type Clock, type CompiledCatalog, systemClock } from '@residency/core';
import {
  type AggregateWindow,
  createKeyedRandom,
  DEFAULT_ALLOWED_LATENESS_SECONDS,
  DEFAULT_K,
  mergeCellPartials,
  NOISE_MECHANISM,
  type NoiseOptions,
  releaseCells,
  windowEndMillis,
  windowKeyOf,
  windowStartIso,
} from '@residency/core/aggregates';
import type { PipelineLogger } from '../observability/logger.ts';
import type { PipelineMetrics } from '../observability/metrics.ts';
import type { EpsilonLedgerEntry, OutboxPort, WindowStore } from '../ports.ts';
import { describeError } from '../support/safe-error.ts';
import { metricRangesOf, noiseMetricCountsOf } from './metric-ranges.ts';

/** Seconds the closer waits after a window's allowed lateness before closing it. */
export const DEFAULT_CLOSE_GRACE_SECONDS = 60;

/** How the budget of a window is spent, as recorded in the ledger. */
export const NOISE_COMPOSITION =
  'per cell: epsilon split evenly over count, distinctSubjects, and each metric histogram and sum; cells of a window are disjoint';

/** What the window closer is built from. */
export interface WindowCloserDependencies {
  windows: WindowStore;
  outbox: OutboxPort;
  /** The catalog, for the value ranges of metrics (noise on sums). */
  catalog: CompiledCatalog;
  logger: PipelineLogger;
  metrics: PipelineMetrics;
  /** Default: the system clock. */
  clock?: Clock;
  /** Minimum distinct subjects of a released cell. Default: 10. */
  k?: number;
  /** Must match the ingest's. Default: 120. */
  allowedLatenessSeconds?: number;
  /**
   * Extra wait after the allowed lateness, so a batch that passed the ingest's lateness check just
   * before the deadline has written its partials. Keep it above the ingest function's timeout. Default: 60.
   */
  closeGraceSeconds?: number;
  /** Add discrete Laplace noise with this per-window epsilon. Default: no noise. */
  noise?: { epsilon: number };
  /** Windows closed per run at most; the rest wait for the next run. Default: 100. */
  maxWindowsPerRun?: number;
}

/** What closing one window did. */
export interface WindowCloseReport {
  windowStart: string;
  windowSeconds: number;
  outcome: 'released' | 'already_closed' | 'failed';
  releasedCells: number;
  suppressedCells: number;
  suppressedEvents: number;
  lateEvents: number;
  epsilon?: number;
}

/** What one run of the closer did. */
export interface CloserRunReport {
  windows: WindowCloseReport[];
  /** Open windows not yet due. */
  waiting: number;
  releasedCells: number;
  suppressedCells: number;
  lateEvents: number;
}

/** The scheduled window closer. */
export interface WindowCloser {
  /** Closes every due window (idempotent: a second run releases nothing twice). */
  run(): Promise<CloserRunReport>;
}

/**
 * Builds the window closer. For every open window whose end plus allowed lateness plus grace has
 * passed: merge the shards' partials, suppress cells under k distinct subjects (counted), add
 * noise if configured (the epsilon and a secret seed are written to the window's ledger entry
 * before anything is released, so a retry draws the same noise), put the released cells on the
 * outbox (partition key and id: the stable cell id), then mark the window closed. A run that
 * fails half way releases the same cells again next time; the control plane dedupes by cell id.
 *
 * @example const closer = createWindowCloser({ windows, outbox, catalog: clinicbook, logger, metrics, k: 10 });
 */
export function createWindowCloser(deps: WindowCloserDependencies): WindowCloser {
  const clock = deps.clock ?? systemClock;
  const k = deps.k ?? DEFAULT_K;
  const latenessMillis = (deps.allowedLatenessSeconds ?? DEFAULT_ALLOWED_LATENESS_SECONDS) * 1000;
  const graceMillis = (deps.closeGraceSeconds ?? DEFAULT_CLOSE_GRACE_SECONDS) * 1000;
  const metricRange = metricRangesOf(deps.catalog, deps.noise !== undefined);
  if (deps.noise && !(deps.noise.epsilon > 0 && Number.isFinite(deps.noise.epsilon))) {
    throw new RangeError('noise epsilon must be a positive number');
  }
  const metricCount = deps.noise ? noiseMetricCountsOf(deps.catalog, deps.noise.epsilon) : undefined;

  const noiseFor = async (window: AggregateWindow): Promise<NoiseOptions | undefined> => {
    if (!deps.noise) return undefined;
    const ledger: EpsilonLedgerEntry = await deps.windows.recordLedger(window, {
      mechanism: NOISE_MECHANISM,
      epsilon: deps.noise.epsilon,
      k,
      composition: NOISE_COMPOSITION,
      seed: randomBytes(32),
      recordedAtMillis: clock.nowMillis(),
    });
    const seed = ledger.seed;
    return {
      epsilon: ledger.epsilon,
      randomFor: (cellId) => createKeyedRandom(seed, cellId),
      metricRange,
      ...(metricCount ? { metricCount } : {}),
    };
  };

  const close = async (window: AggregateWindow): Promise<WindowCloseReport> => {
    const base = { windowStart: windowStartIso(window), windowSeconds: window.seconds };
    const zero = { releasedCells: 0, suppressedCells: 0, suppressedEvents: 0 };
    const state = await deps.windows.readWindow(window);
    if (state.status === 'closed') {
      await deps.windows.removeOpen(window);
      return { ...base, ...zero, outcome: 'already_closed', lateEvents: state.lateEvents };
    }
    const cells = mergeCellPartials(await deps.windows.readPartials(window, state.shardIds));
    const noise = await noiseFor(window);
    const release = releaseCells(cells, { k, metricRange, ...(noise ? { noise } : {}) });
    const results = await deps.outbox.send(
      release.released.map((cell) => ({
        partitionKey: cell.cellId,
        message: { kind: 'aggregate', aggregate: cell },
      })),
    );
    const failed = results.filter((r) => !r.ok);
    const counts = {
      releasedCells: release.released.length,
      suppressedCells: release.suppressedCells,
      suppressedEvents: release.suppressedEvents,
      lateEvents: state.lateEvents,
      ...(noise ? { epsilon: noise.epsilon } : {}),
    };
    if (failed.length > 0) {
      deps.logger.error('released cells could not be put on the outbox; the window stays open', {
        window: windowKeyOf(window),
        failedEntries: failed.length,
      });
      return { ...base, ...counts, outcome: 'failed' };
    }
    await deps.windows.markClosed(window, { ...counts, closedAtMillis: clock.nowMillis() });
    await deps.windows.removeOpen(window);
    return { ...base, ...counts, outcome: 'released' };
  };

  return {
    async run() {
      const now = clock.nowMillis();
      const open = await deps.windows.listOpenWindows();
      const due = open.filter((w) => windowEndMillis(w) + latenessMillis + graceMillis <= now);
      const batch = due.slice(0, deps.maxWindowsPerRun ?? 100);
      const report: CloserRunReport = {
        windows: [],
        waiting: open.length - batch.length,
        releasedCells: 0,
        suppressedCells: 0,
        lateEvents: 0,
      };
      try {
        for (const window of batch) {
          let result: WindowCloseReport;
          try {
            result = await close(window);
          } catch (error) {
            deps.logger.error('closing a window failed; it stays open', {
              window: windowKeyOf(window),
              ...describeError(error),
            });
            result = {
              windowStart: windowStartIso(window),
              windowSeconds: window.seconds,
              outcome: 'failed',
              releasedCells: 0,
              suppressedCells: 0,
              suppressedEvents: 0,
              lateEvents: 0,
            };
          }
          report.windows.push(result);
          if (result.outcome !== 'released') continue;
          report.releasedCells += result.releasedCells;
          report.suppressedCells += result.suppressedCells;
          report.lateEvents += result.lateEvents;
          deps.metrics.count('WindowsClosed', 1);
          deps.metrics.count('CellsReleased', result.releasedCells);
          deps.metrics.count('CellsSuppressed', result.suppressedCells);
          deps.metrics.count('EventsSuppressed', result.suppressedEvents);
          deps.metrics.count('LateEvents', result.lateEvents);
          deps.logger.info('window closed', { ...result });
        }
        const failures = report.windows.filter((w) => w.outcome === 'failed').length;
        if (failures > 0) deps.metrics.count('WindowCloseFailures', failures);
        deps.logger.info('window closer run', {
          closed: report.windows.filter((w) => w.outcome === 'released').length,
          failed: failures,
          waiting: report.waiting,
          releasedCells: report.releasedCells,
          suppressedCells: report.suppressedCells,
          lateEvents: report.lateEvents,
        });
        return report;
      } finally {
        deps.metrics.flush();
      }
    },
  };
}
