export {
  COMPACT_RATIO,
  createDynamoAggregateStore,
  type DynamoAggregateStoreOptions,
} from './aggregates/dynamodb-aggregate-store.ts';
export {
  createDynamoWindowStore,
  type DynamoWindowStoreOptions,
} from './aggregates/dynamodb-window-store.ts';
export type {
  EventLogItem,
  LedgerItem,
  PartialEntry,
  PartialPageItem,
  ShardItem,
  SubjectsChunkItem,
  WindowItem,
} from './aggregates/items.ts';
export { countsChunk, latestEntries } from './aggregates/items.ts';
export {
  EVENT_LOG_SK_PREFIX,
  LEDGER_SK,
  ledgerKey,
  OPEN_PK,
  openKey,
  PAGE_SK_PREFIX,
  pageKey,
  partialPk,
  SHARD_SK_PREFIX,
  shardItemKey,
  type TableKey,
  WINDOW_SK,
  windowItemKey,
  windowPk,
} from './aggregates/keys.ts';
export {
  type CloserRunReport,
  createWindowCloser,
  DEFAULT_CLOSE_GRACE_SECONDS,
  NO_NOISE_COMPOSITION,
  NO_NOISE_MECHANISM,
  NOISE_COMPOSITION,
  type WindowCloseReport,
  type WindowCloser,
  type WindowCloserDependencies,
} from './closer/create-window-closer.ts';
export { resolveAwsTarget } from './config/aws-target.ts';
export {
  type BaseConfig,
  type IngestConfig,
  IngestEnvSchema,
  isWindowSeconds,
  loadIngestConfig,
  loadWindowCloserConfig,
  type PipelineEnv,
  WINDOW_SECONDS_RULE,
  type WindowCloserConfig,
  WindowCloserEnvSchema,
} from './config/env.ts';
export { envFromEndpointsFile } from './config/local-env.ts';
export { type ResourceRef, resourceRef } from './config/resource-ref.ts';
export { verifyResidency } from './config/verify-residency.ts';
export { KinesisEnvelopeError, LedgerEpsilonError, PayloadDecryptionError } from './errors.ts';
export { createInMemoryAggregates, type InMemoryAggregates } from './fakes/in-memory-aggregates.ts';
export { createInMemoryOutbox, type InMemoryOutbox } from './fakes/in-memory-outbox.ts';
export { createInMemoryQuarantine, type InMemoryQuarantine } from './fakes/in-memory-quarantine.ts';
export {
  createIngestHandler,
  type IngestDependencies,
  type IngestHandler,
} from './ingest/create-ingest-handler.ts';
export { type DecodedRecord, decodeRecord, type IssueRef, type QuarantineReason } from './ingest/decode.ts';
export {
  KinesisEnvelopeSchema,
  type KinesisEventRecord,
  KinesisEventRecordSchema,
  positionOf,
  type RecordPosition,
} from './ingest/envelope.ts';
export type { BatchSummary, RecordOutcome, RetryStage } from './ingest/process-batch.ts';
export { createPowertoolsLogger, type PipelineLogger, silentLogger } from './observability/logger.ts';
export {
  createEmfMetrics,
  createInMemoryMetrics,
  type InMemoryMetrics,
  type MetricDimensions,
  type PipelineMetricName,
  type PipelineMetrics,
} from './observability/metrics.ts';
export {
  createKinesisOutbox,
  KINESIS_MAX_RECORD_BYTES,
  type KinesisOutboxOptions,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
} from './outbox/kinesis-outbox.ts';
export type {
  AggregateApplyResult,
  AggregatePort,
  AggregatePreparation,
  EpsilonLedgerEntry,
  OutboxEntry,
  OutboxPort,
  OutboxResult,
  QuarantineEntry,
  QuarantinePort,
  WindowCloseSummary,
  WindowState,
  WindowStore,
} from './ports.ts';
export {
  createDynamoQuarantine,
  type DynamoQuarantineOptions,
} from './quarantine/dynamodb-quarantine.ts';
export {
  createKmsPayloadEncryptor,
  type KmsPayloadEncryptorOptions,
  type PayloadContext,
  type PayloadEncryptor,
  type SealedPayload,
} from './quarantine/payload-encryptor.ts';
export {
  MAX_ISSUES_PER_RECORD,
  MAX_QUARANTINED_PAYLOAD_BYTES,
  payloadContextOf,
  type QuarantineItem,
  quarantineKeyOf,
} from './quarantine/quarantine-item.ts';
export {
  type Attempt,
  BACKOFF_BASE_MILLIS,
  BACKOFF_MAX_MILLIS,
  DEFAULT_RETRY_POLICY,
  RETRY_DEADLINE_MILLIS,
  RETRY_MAX_ATTEMPTS,
  type RetryEnvironment,
  type RetryPolicy,
  type RetryResult,
  retryWithBackoff,
} from './support/retry.ts';
export {
  createIngestFromEnv,
  type IngestFromEnv,
  type IngestFromEnvOptions,
} from './wiring/ingest-from-env.ts';
export {
  createWindowCloserFromEnv,
  type WindowCloserFromEnv,
  type WindowCloserFromEnvOptions,
} from './wiring/window-closer-from-env.ts';
