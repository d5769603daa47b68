/**
 * Kinesis Data Streams limits the producer batches to. A request over any of them is refused
 * whole by the service, so the producer never builds one.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 */

/** Most records in one PutRecords request. */
export const MAX_RECORDS_PER_REQUEST = 500;

/** Most bytes in one PutRecords request, data and partition keys included (5 MiB). */
export const MAX_BYTES_PER_REQUEST = 5 * 1024 * 1024;

/** Most bytes in one record, data and partition key included (1 MiB). */
export const MAX_BYTES_PER_RECORD = 1024 * 1024;

/** Longest partition key, in Unicode characters. */
export const MAX_PARTITION_KEY_LENGTH = 256;
