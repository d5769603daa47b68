export { ConfigurationError, RegionMismatchError } from '@residency/aws';
export { EventValidationError, type FieldIssue } from '@residency/core';
export { clinicbookCanary } from './canary/clinicbook.ts';
export { CANARY_LAYOUT, type CanaryKind, MIN_CANARY_SECRET_BYTES } from './canary/codes.ts';
export { type CanaryDetector, type CanaryMatch, createCanaryDetector, isCanary } from './canary/detector.ts';
export { type CanaryIdentity, canaryIdentity } from './canary/identity.ts';
export { type CanaryOptions, DEFAULT_CANARY_TENANT_ID } from './canary/injector.ts';
export { createProducer } from './create-producer.ts';
export {
  DeliveryFailedError,
  ProducerClosedError,
  QueueFullError,
  RecordTooLargeError,
  TransportError,
} from './errors.ts';
export type { ClinicBookDefinition, ProducerEvent } from './event-types.ts';
export {
  MAX_BYTES_PER_RECORD,
  MAX_BYTES_PER_REQUEST,
  MAX_PARTITION_KEY_LENGTH,
  MAX_RECORDS_PER_REQUEST,
} from './limits.ts';
export {
  DEFAULT_CLOSE_TIMEOUT_MILLIS,
  DEFAULT_LINGER_MILLIS,
  DEFAULT_MAX_CONCURRENT_REQUESTS,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_MAX_QUEUED_EVENTS,
  DEFAULT_MAX_WAITING_SENDERS,
  DEFAULT_REQUEST_TIMEOUT_MILLIS,
  type ProducerLogger,
  type ProducerOptions,
} from './options.ts';
export {
  createPartitionKeyer,
  MIN_PARTITION_KEY_SECRET_BYTES,
  PARTITION_KEY_HEX_LENGTH,
} from './partition-key.ts';
export type { Acknowledgement, Producer, ProducerCounters, SendReceipt } from './producer.ts';
export type { DeliveryFailure, DeliveryReport, FailureReason } from './report.ts';
export {
  BACKOFF_BASE_MILLIS,
  BACKOFF_MAX_MILLIS,
  backoffDelayMillis,
  DEFAULT_RETRY_POLICY,
  RETRY_DEADLINE_MILLIS,
  type RetryPolicy,
  withinRetryDeadline,
} from './retry-policy.ts';
export { assertProducerTarget } from './settings.ts';
export {
  createFakeTransport,
  type FakeStreamRecord,
  type FakeTransport,
  type FakeTransportOptions,
} from './transport/fake.ts';
export { createKinesisTransport, type KinesisTransportOptions } from './transport/kinesis.ts';
export type { Transport, TransportRecord, TransportRecordResult } from './transport/port.ts';
