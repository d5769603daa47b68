export {
  appointmentBooked,
  appointmentCancelled,
  type ClinicBookEvent,
  clinicbook,
  clinicbookDefinition,
  noteAdded,
  patientRegistered,
  paymentCompleted,
} from './catalogs/clinicbook.ts';
export { chunk, mapWithConcurrency } from './concurrency.ts';
export { CatalogError, EventValidationError, type FieldIssue, MissingTokenError } from './errors.ts';
export { createInMemoryTokenPort, type InMemoryTokenPort } from './fakes/in-memory-token-port.ts';
export {
  type CatalogDefinition,
  type CatalogEvent,
  type CompiledCatalog,
  type CompiledEvent,
  type CompiledField,
  compileCatalog,
  defineCatalog,
  defineEvent,
  type EventDefinition,
} from './model/catalog.ts';
export {
  classOf,
  type FieldClass,
  type FieldMeta,
  fieldClasses,
  type Generalizer,
  type IdentifierMeta,
  identifier,
  type NormalizerName,
  type PublicMeta,
  publicField,
  type QuasiMeta,
  quasi,
  type SensitiveMeta,
  sensitive,
  type TokenScheme,
} from './model/classes.ts';
export { ENVELOPE_FIELD_NAMES, envelopeFields, TenantIdSchema } from './model/envelope.ts';
export { type GeneralizeContext, type Generalized, generalize } from './model/generalize.ts';
export { outboundRecordsOf, tokenRequestsFor, toOutbound } from './model/map.ts';
export { OUTBOUND_SCHEMA_ID, type OutboundRecord, OutboundRecordSchema } from './model/outbound.ts';
export {
  type AggregateCell,
  AggregateCellSchema,
  type ErasureNotice,
  ErasureNoticeSchema,
  type OutboxMessage,
  OutboxMessageSchema,
  outboxMessagesOf,
} from './model/outbox.ts';
export { type CountryResolverOptions, createCountryResolver } from './model/tenants.ts';
export {
  formatRecordId,
  formatToken,
  keyedMac,
  keyedTokenUnder,
  RECORD_ID_LABEL,
  recordIdUnder,
  type Token,
  type TokenMap,
  type TokenPort,
  type TokenRequest,
  TokenSchema,
  tokenKey,
  tokenPrefixFor,
} from './model/tokens.ts';
export {
  type IdentifierValue,
  type ValidatedEvent,
  type ValidateOptions,
  type ValidationResult,
  validateEvent,
} from './model/validate.ts';
export { InvariantError, needs } from './needs.ts';
export {
  type NormalizeContext,
  type Normalized,
  normalizeEmail,
  normalizeIdentifier,
  normalizeNationalId,
  normalizeOpaque,
  normalizePhone,
  tenantScoped,
} from './normalize/index.ts';
export { luhnValid, verhoeffCheckDigit, verhoeffValid } from './pii/checksums.ts';
export {
  PII_RULES,
  type PiiFinding,
  type PiiRule,
  type PiiRuleId,
  type ScanRecordOptions,
  scanRecord,
  scanValue,
} from './pii/index.ts';
export { type Clock, systemClock } from './ports.ts';
export {
  BACKOFF_MULTIPLIER,
  type BackoffBounds,
  backoffCeilingMillis,
  fullJitterBackoffMillis,
} from './retry/backoff.ts';
export { type RetryOptions, type RetryResult, retry, sleepMillis } from './retry/retry.ts';
export { foldText } from './text.ts';
