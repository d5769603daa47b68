import { randomBytes } from 'node:crypto';
import { type Clock, type CompiledCatalog, systemClock } from '@residency/core';
import {
  AggregateConfigurationError,
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
import { LedgerEpsilonError } from '../errors.ts';
import type { PipelineLogger } from '../observability/logger.ts';
import type { PipelineMetrics } from '../observability/metrics.ts';
import type { OpenWindow, OutboxPort, WindowStore } from '../ports.ts';
import { describeError } from '../support/safe-error.ts';
import { closeRetryDelayMillis, pickWindows } from './backoff.ts';
import { metricRangesOf, noiseMetricCountsOf } from './metric-ranges.ts';

/** Seconds the closer waits after a window's allowed lateness before closing it. */
export const DEFAULT_CLOSE_GRACE_SECONDS = 60;

/** Windows a run tries at most, by default. */
export const DEFAULT_MAX_WINDOWS_PER_RUN = 100;

/** The ledger's mechanism of a window released without noise. */
export const NO_NOISE_MECHANISM = 'none';

/** The ledger's composition of a window released without noise. */
export const NO_NOISE_COMPOSITION = 'no noise: exact counts of cells with at least k distinct subjects';

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
  /**
   * Windows tried per run at most; the rest wait for the next run. Due windows are tried oldest
   * first, except that a window whose close failed goes behind the others until its retry time
   * (1 minute after the first failure, doubling to 1 hour). Default: 100.
   */
  maxWindowsPerRun?: number;
}

/** Why a window could not be closed: its cells not all on the outbox, its ledger's epsilon, or an error. */
export type WindowCloseFailureReason = 'outbox' | 'ledger_epsilon' | 'error';

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
  /** Set when the outcome is `failed`. */
  failure?: WindowCloseFailureReason;
}

/** What one run of the closer did. */
export interface CloserRunReport {
  windows: WindowCloseReport[];
  /** Open windows this run did not try: not yet due, beyond `maxWindowsPerRun`, or backing off. */
  waiting: number;
  /** Due windows this run did not try because a close failed and their retry time has not come (in `waiting`). */
  backingOff: number;
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
 * before anything is released, so a retry draws the same noise with the ledger's epsilon, checked
 * again), put the released cells on the outbox (partition key and id: the stable cell id), then
 * mark the window closed. A run that fails half way releases the same cells again next time; the
 * control plane dedupes by cell id. A window whose close fails stays open and goes behind the
 * other due windows until its retry time, so windows that keep failing cannot hold up the rest.
 *
 * @example const closer = createWindowCloser({ windows, outbox, catalog: clinicbook, logger, metrics, k: 10 });
 */
export function createWindowCloser(deps: WindowCloserDependencies): WindowCloser {
  const clock = deps.clock ?? systemClock;
  const k = deps.k ?? DEFAULT_K;
  const latenessMillis = (deps.allowedLatenessSeconds ?? DEFAULT_ALLOWED_LATENESS_SECONDS) * 1000;
  const graceMillis = (deps.closeGraceSeconds ?? DEFAULT_CLOSE_GRACE_SECONDS) * 1000;
  const maxWindowsPerRun = deps.maxWindowsPerRun ?? DEFAULT_MAX_WINDOWS_PER_RUN;
  const metricRange = metricRangesOf(deps.catalog, deps.noise !== undefined);
  if (deps.noise && !(deps.noise.epsilon > 0 && Number.isFinite(deps.noise.epsilon))) {
    throw new RangeError('noise epsilon must be a positive number');
  }
  // Refused at startup: an epsilon no release could draw with.
  const configuredCounts = deps.noise ? noiseMetricCountsOf(deps.catalog, deps.noise.epsilon) : undefined;

  // The startup check of the configured epsilon, applied to the ledger's: a ledger written under
  // an earlier configuration may hold an epsilon this catalog's metric ranges cannot be drawn with.
  const checkLedgerEpsilon = (window: AggregateWindow, epsilon: number) => {
    if (configuredCounts && epsilon === deps.noise?.epsilon) return configuredCounts;
    const windowKey = windowKeyOf(window);
    if (!(typeof epsilon === 'number' && Number.isFinite(epsilon) && epsilon > 0)) {
      throw new LedgerEpsilonError(windowKey, epsilon, 'not a positive number');
    }
    try {
      return noiseMetricCountsOf(deps.catalog, epsilon);
    } catch (error) {
      if (!(error instanceof AggregateConfigurationError)) throw error;
      throw new LedgerEpsilonError(windowKey, epsilon, error.message, error.eventType, error.field, {
        cause: error,
      });
    }
  };

  // One decision per window, written before anything of it is released: noise with an epsilon and a
  // seed, or none. Whichever run records it first decides for every run after, whatever their own
  // configuration says: the window's cells may have left under that decision, and releasing them
  // again with other noise, or none (a run configured without noise racing one with it, or noise
  // turned off since), would show what the noise hid.
  const termsFor = async (window: AggregateWindow): Promise<{ noise?: NoiseOptions; k: number }> => {
    const ledger = await deps.windows.recordLedger(window, {
      mechanism: deps.noise ? NOISE_MECHANISM : NO_NOISE_MECHANISM,
      epsilon: deps.noise?.epsilon ?? 0,
      k,
      composition: deps.noise ? NOISE_COMPOSITION : NO_NOISE_COMPOSITION,
      seed: randomBytes(32),
      recordedAtMillis: clock.nowMillis(),
    });
    const windowKey = windowKeyOf(window);
    // The ledger's k, when it is the larger: a retry then releases the same cells or fewer.
    if (!(Number.isInteger(ledger.k) && ledger.k >= 2))
      throw new LedgerEpsilonError(
        windowKey,
        ledger.epsilon,
        `its k (${String(ledger.k)}) is not a whole number of at least 2`,
      );
    const releaseK = Math.max(k, ledger.k);
    if (ledger.mechanism === NO_NOISE_MECHANISM) {
      if (ledger.epsilon !== 0)
        throw new LedgerEpsilonError(
          windowKey,
          ledger.epsilon,
          "it says no noise ('none') with an epsilon other than 0",
        );
      if (deps.noise) {
        deps.logger.warn("noise is on, but the window's ledger says it is released without noise", {
          window: windowKey,
        });
      }
      return { k: releaseK };
    }
    if (ledger.mechanism !== NOISE_MECHANISM)
      throw new LedgerEpsilonError(
        windowKey,
        ledger.epsilon,
        `its mechanism (${JSON.stringify(String(ledger.mechanism)).slice(0, 40)}) is neither '${NOISE_MECHANISM}' nor '${NO_NOISE_MECHANISM}'`,
      );
    const metricCount = checkLedgerEpsilon(window, ledger.epsilon);
    if (!deps.noise) {
      deps.logger.warn(
        "noise is off, but the window's ledger holds an epsilon; it is released under the ledger's",
        {
          window: windowKey,
          ledgerEpsilon: ledger.epsilon,
        },
      );
    } else if (ledger.epsilon !== deps.noise.epsilon) {
      // Drawing again under the configured epsilon would spend the window's budget twice.
      deps.logger.warn(
        "the window's ledger holds another epsilon than the configured one; it is released under the ledger's",
        { window: windowKey, ledgerEpsilon: ledger.epsilon, configuredEpsilon: deps.noise.epsilon },
      );
    }
    const seed = ledger.seed;
    return {
      k: releaseK,
      noise: {
        epsilon: ledger.epsilon,
        randomFor: (cellId) => createKeyedRandom(seed, cellId),
        metricRange,
        metricCount,
      },
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
    const { noise, k: releaseK } = await termsFor(window);
    const release = releaseCells(cells, { k: releaseK, metricRange, ...(noise ? { noise } : {}) });
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
      return { ...base, ...counts, outcome: 'failed', failure: 'outbox' };
    }
    await deps.windows.markClosed(window, { ...counts, closedAtMillis: clock.nowMillis() });
    await deps.windows.removeOpen(window);
    return { ...base, ...counts, outcome: 'released' };
  };

  const closeOrFail = async (window: AggregateWindow): Promise<WindowCloseReport> => {
    try {
      return await close(window);
    } catch (error) {
      if (error instanceof LedgerEpsilonError) {
        deps.logger.error(
          "the window's ledger is not usable (an epsilon that cannot be drawn for the catalog, a k or a mechanism it does not know); the window stays open",
          {
            window: error.windowKey,
            reason: error.message,
            ledgerEpsilon: error.epsilon,
            ...(deps.noise ? { configuredEpsilon: deps.noise.epsilon } : {}),
            ...(error.eventType ? { eventType: error.eventType } : {}),
            ...(error.field ? { metric: error.field } : {}),
          },
        );
      } else {
        deps.logger.error('closing a window failed; it stays open', {
          window: windowKeyOf(window),
          ...describeError(error),
        });
      }
      return {
        windowStart: windowStartIso(window),
        windowSeconds: window.seconds,
        outcome: 'failed',
        releasedCells: 0,
        suppressedCells: 0,
        suppressedEvents: 0,
        lateEvents: 0,
        failure: error instanceof LedgerEpsilonError ? 'ledger_epsilon' : 'error',
      };
    }
  };

  // Records the failure on the window's open-index entry, so that the next runs try the other
  // due windows first until its retry time. Losing the record only loses that order.
  const backOff = async (window: OpenWindow): Promise<void> => {
    const closeFailures = (window.closeFailures ?? 0) + 1;
    const retryAfterMillis = clock.nowMillis() + closeRetryDelayMillis(closeFailures);
    try {
      await deps.windows.recordCloseFailure(window, { closeFailures, retryAfterMillis });
      deps.logger.warn('a window whose close failed waits behind the others', {
        window: windowKeyOf(window),
        closeFailures,
        retryAfter: new Date(retryAfterMillis).toISOString(),
      });
    } catch (error) {
      deps.logger.warn('the failed close of a window could not be recorded', {
        window: windowKeyOf(window),
        ...describeError(error),
      });
    }
  };

  return {
    async run() {
      const now = clock.nowMillis();
      const open = await deps.windows.listOpenWindows();
      const due = open.filter((w) => windowEndMillis(w) + latenessMillis + graceMillis <= now);
      const { batch, backingOff } = pickWindows(due, now, maxWindowsPerRun);
      const report: CloserRunReport = {
        windows: [],
        waiting: open.length - batch.length,
        backingOff,
        releasedCells: 0,
        suppressedCells: 0,
        lateEvents: 0,
      };
      try {
        for (const window of batch) {
          const result = await closeOrFail(window);
          report.windows.push(result);
          if (result.outcome === 'failed') await backOff(window);
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
          backingOff: report.backingOff,
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
