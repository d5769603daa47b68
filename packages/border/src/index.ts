export { batchIdFor } from './batching/batch-id.ts';
export {
  BATCH_KIND_OF,
  type BatchKind,
  type Chunk,
  type ChunkOptions,
  chunkMessages,
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_MAX_BATCH_ITEMS,
  type PassedMessage,
} from './batching/chunk.ts';
export { assertForwarderInRegion } from './config/assert-forwarder-region.ts';
export { type ForwarderEnv, ForwarderEnvSchema } from './config/forwarder-env.ts';
export { BorderConfigurationError, BorderLogWriteError, EgressRefusedError } from './errors.ts';
export type { BatchSealer, SealedBatch, UnsealedBatch } from './forwarder/batch-sealer.ts';
export {
  createForwarder,
  type Forwarder,
  type ForwarderOptions,
  type ForwardReport,
} from './forwarder/create-forwarder.ts';
export { createForwarderFromEnv, type ForwarderFromEnv } from './forwarder/create-forwarder-from-env.ts';
export {
  decodeKinesisEvent,
  KinesisEnvelopeSchema,
  type StreamMessage,
  type StreamRecord,
  streamMessagesOf,
} from './forwarder/kinesis-envelope.ts';
export {
  createInMemoryMetrics,
  type ForwarderLogger,
  type ForwarderMetricName,
  type ForwarderMetrics,
  type InMemoryMetrics,
  silentLogger,
} from './forwarder/observability.ts';
export {
  createPowertoolsLogger,
  createPowertoolsMetrics,
  FORWARDER_SERVICE,
  METRICS_NAMESPACE,
} from './forwarder/powertools.ts';
export {
  type BatchOutcome,
  classifyAnswer,
  type SendBatchContext,
  sendBatch,
} from './forwarder/send-batch.ts';
export { createSigningSealer, type SigningSealerOptions } from './forwarder/signing-sealer.ts';
export {
  createEgressGuard,
  type EgressGuard,
  type EgressGuardOptions,
  type GuardVerdict,
  MAX_VERDICT_PATH_LENGTH,
  MAX_VERDICT_PATHS,
  type PiiScanner,
} from './guard/egress-guard.ts';
export { safeJsonPath } from './guard/safe-path.ts';
export { OUTBOX_SCAN_EXEMPT_PATHS } from './guard/scan-exemptions.ts';
export {
  createDynamoEgressLog,
  createDynamoQuarantine,
  type DynamoEgressLog,
  type DynamoQuarantine,
} from './logs/dynamo-logs.ts';
export {
  type EgressLog,
  type EgressLogEntry,
  type EgressLogOutcome,
  type EgressStatus,
  egressDayPartitionKeys,
  egressPartitionKey,
  egressSortKey,
} from './logs/egress-log.ts';
export {
  createInMemoryEgressLog,
  createInMemoryQuarantine,
  type InMemoryEgressLog,
  type InMemoryQuarantine,
} from './logs/in-memory.ts';
export {
  type Quarantine,
  type QuarantineEntry,
  quarantineDayPartitionKeys,
  quarantinePartitionKey,
  quarantineSortKey,
} from './logs/quarantine.ts';
export {
  CONTENT_REJECTION_REASONS,
  INGEST_PATH,
  type IngestResponse,
  IngestResponseSchema,
  type OffendingItem,
  OffendingItemSchema,
} from './protocol/ingest-response.ts';
export {
  type Attempt,
  backoffMillis,
  RETRY_BACKOFF_MULTIPLIER,
  RETRY_BASE_DELAY_MILLIS,
  RETRY_MAX_DELAY_MILLIS,
  type RetryOptions,
  type RetryOutcome,
  withRetry,
} from './retry/with-retry.ts';
export {
  BatchKindSchema,
  type BatchRejection,
  type BatchSigner,
  type BatchSignerOptions,
  type BatchVerification,
  type BatchVerifier,
  type BatchVerifierOptions,
  createBatchSigner,
  createBatchVerifier,
  digestBody,
  ed25519PrivateKey,
  ed25519PublicKey,
  encodeSignedBatch,
  generateSigningKeyPair,
  KeyIdSchema,
  keyIdFor,
  type ReceivedBatch,
  SIGNED_BATCH_HEADERS,
  SIGNED_BATCH_VERSION,
  type SignedBatch,
  type SignedBatchFields,
  type SignedBatchRequest,
  SignedBatchSchema,
  type SigningKeyPair,
  signBatchRequest,
} from './signing/index.ts';
export {
  createEgressTransport,
  type EgressRequest,
  type EgressTransport,
  type EgressTransportOptions,
  MIN_TLS_VERSION,
  type TransportResponse,
} from './transport/egress-transport.ts';
export {
  allowedOrigin,
  checkDestination,
  isLoopbackAddress,
  isLoopbackHost,
} from './transport/origin-policy.ts';
