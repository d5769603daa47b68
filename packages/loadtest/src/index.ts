export type { PluginsRef } from './environment/host-protocol.ts';
export {
  type AwsTargetOptions,
  awsTarget,
  type LoadtestTarget,
  startLocalTarget,
} from './environment/target.ts';
export { argsWithSemiSpace, lambdaSemiSpaceMb, semiSpaceOf } from './environment/v8-heap.ts';
export { EmulatorHostError, LoadtestError, ScenarioUnavailableError } from './errors.ts';
export {
  type ClinicBookWorkloadOptions,
  createPerson,
  createRandom,
  createZipf,
  DEFAULT_MIX,
  type EventMix,
  generateClinicBook,
  type Random,
  type SyntheticPerson,
} from './generator/index.ts';
export {
  type BillableUnits,
  type BillingCounter,
  createBillingCounter,
  noUnits,
} from './measure/billing-counter.ts';
export { createLatencyRecorder, type LatencyRecorder, type LatencySummary } from './measure/latency.ts';
export { type CostEstimate, type CostInputs, type CostLine, costPerMillionEvents } from './pricing/cost.ts';
export { PRICE_TABLES, type PriceTable, priceTableFor } from './pricing/prices.ts';
export { createProgress, type Progress, type ProgressOptions, silentProgress } from './progress.ts';
export { type CapacityRow, planCapacity, VAULT_TARGET_UTILIZATION } from './report/capacity.ts';
export { renderCapacityMarkdown } from './report/capacity-markdown.ts';
export { GOAL_TARGETS } from './report/goals.ts';
export { renderHtml } from './report/html.ts';
export { buildReport, hotpathToCeiling, type ReportInputs } from './report/report.ts';
export { renderTable } from './report/table.ts';
export {
  type Goal,
  type LoadtestReport,
  REPORT_SCHEMA,
  type ScenarioName,
  type ScenarioReport,
} from './report/types.ts';
export { ALL_SCENARIOS, DEFAULTS as LOADTEST_DEFAULTS, type LoadtestOptions } from './runner/options.ts';
export { runLoadtest } from './runner/run.ts';
export { type CeilingOptions, runCeiling } from './scenarios/ceiling.ts';
export type {
  CeilingResult,
  E2eResult,
  OutboxMode,
  PrimitiveCost,
  ThroughputResult,
} from './scenarios/results.ts';
export { withCanaries } from './workload/canaries.ts';
export {
  type KinesisBatchOptions,
  LAMBDA_PAYLOAD_LIMIT_BYTES,
  toKinesisEvents,
} from './workload/kinesis-batches.ts';
