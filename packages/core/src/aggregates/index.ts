export { type CellSize, coarsenMetric, type ReleasedMetric } from './disclosure.ts';
export {
  bernoulliExpMinus,
  laplaceScale,
  type Rational,
  sampleDiscreteLaplace,
  toRational,
} from './discrete-laplace.ts';
export { AggregateConfigurationError } from './errors.ts';
export {
  applyFenced,
  countLateFenced,
  type Fenced,
  type FencedLateCount,
  type FencedPartial,
} from './fence.ts';
export { type AggregateGroup, cellIdOf, createCellIdMemo, groupKeyOf } from './group.ts';
export { DEFAULT_K, distinctSubjectsOf, meetsK } from './k-threshold.ts';
export {
  addNoise,
  assertNoiseDrawable,
  MAX_NOISE_SCALE_NUMERATOR,
  type MetricRange,
  NOISE_MECHANISM,
  type NoiseOptions,
  statisticsPerCell,
} from './noise.ts';
export { type MetricValue, type Observation, type ObservationInput, observationOf } from './observation.ts';
export {
  addObservations,
  bucketIndex,
  EMPTY_PARTIAL,
  type MetricSummary,
  mergePartials,
  type PartialAggregate,
} from './partial.ts';
export {
  type LateWrite,
  type PartialWrite,
  planShardBatch,
  type ShardAggregateState,
  type ShardBatchOptions,
  type ShardBatchPlan,
} from './plan.ts';
export { createKeyedRandom, type IntegerRandom, MAX_RANDOM_BOUND, systemRandom } from './random.ts';
export {
  AGGREGATE_CELL_SCHEMA_ID,
  type CellPartial,
  mergeCellPartials,
  type ReleaseOptions,
  releaseCells,
  type WindowRelease,
} from './release.ts';
export { compareSequenceNumbers, isAfter } from './sequence.ts';
export {
  type AggregateSpec,
  aggregateSpecOf,
  aggregateSpecsOf,
  MAX_DIMENSION_VALUE_LENGTH,
  type MetricSpec,
} from './spec.ts';
export {
  type AggregateWindow,
  DEFAULT_ALLOWED_LATENESS_SECONDS,
  DEFAULT_WINDOW_SECONDS,
  isPastLateness,
  windowEndMillis,
  windowKeyOf,
  windowOf,
  windowStartIso,
} from './window.ts';
