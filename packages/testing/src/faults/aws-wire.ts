import type { RequestKey } from './plan.ts';

/** A complete HTTP answer the harness makes up instead of the service's. */
export interface CannedResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The AWS JSON services behind the local stack, by `X-Amz-Target` prefix, and SSM (Parameter
 * Store), which tests stand in for where a function reads its secrets.
 */
const SERVICES: ReadonlyArray<{ prefix: string; service: string; contentType: string }> = [
  { prefix: 'Kinesis_20131202.', service: 'Kinesis', contentType: 'application/x-amz-json-1.1' },
  { prefix: 'DynamoDB_20120810.', service: 'DynamoDB', contentType: 'application/x-amz-json-1.0' },
  { prefix: 'TrentService.', service: 'KMS', contentType: 'application/x-amz-json-1.1' },
  { prefix: 'AmazonSSM.', service: 'SSM', contentType: 'application/x-amz-json-1.1' },
];

/**
 * Which service and operation a request is: from `X-Amz-Target` (AWS JSON 1.0/1.1 protocols), else
 * `HTTP` and `METHOD /path` (the control plane, anything else).
 *
 * @example requestKeyOf('Kinesis_20131202.PutRecords', 'POST', '/') // { service: 'Kinesis', operation: 'PutRecords' }
 */
export function requestKeyOf(target: string | undefined, method: string, path: string): RequestKey {
  for (const { prefix, service } of SERVICES) {
    if (target?.startsWith(prefix)) return { service, operation: target.slice(prefix.length) };
  }
  return { service: 'HTTP', operation: `${method} ${path.split('?')[0]}` };
}

function contentTypeOf(service: string): string {
  return SERVICES.find((s) => s.service === service)?.contentType ?? 'application/json';
}

function awsError(service: string, statusCode: number, type: string, message: string): CannedResponse {
  // DynamoDB (JSON 1.0) qualifies the type with its namespace, Kinesis and KMS (JSON 1.1) do not.
  const qualified = service === 'DynamoDB' ? `com.amazonaws.dynamodb.v20120810#${type}` : type;
  const body = Buffer.from(JSON.stringify({ __type: qualified, message }));
  return {
    statusCode,
    headers: {
      'content-type': contentTypeOf(service),
      'content-length': String(body.length),
      'x-amzn-requestid': `fault-${Math.random().toString(36).slice(2, 10)}`,
    },
    body,
  };
}

function plainError(statusCode: number, error: string): CannedResponse {
  const body = Buffer.from(JSON.stringify({ error }));
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
    body,
  };
}

/**
 * The service's own throttling answer: HTTP 400 with `ProvisionedThroughputExceededException`
 * (Kinesis, DynamoDB data calls) or `ThrottlingException` (KMS, SSM). The SDK maps these to its error
 * classes and retries them with backoff, exactly as against AWS.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html#API_PutRecords_Errors
 * https://docs.aws.amazon.com/kms/latest/developerguide/throttling.html
 */
export function throttlingResponse({ service }: RequestKey): CannedResponse {
  if (service === 'Kinesis')
    return awsError(service, 400, 'ProvisionedThroughputExceededException', 'Rate exceeded for shard');
  if (service === 'DynamoDB') {
    return awsError(
      service,
      400,
      'ProvisionedThroughputExceededException',
      'The level of configured provisioned throughput for the table was exceeded.',
    );
  }
  if (service === 'KMS' || service === 'SSM')
    return awsError(service, 400, 'ThrottlingException', 'Rate exceeded');
  return plainError(429, 'throttled');
}

/** A server-side failure as the service reports it (500 internal, 503 unavailable). */
export function serverErrorResponse({ service }: RequestKey, statusCode: 500 | 503): CannedResponse {
  if (statusCode === 503) {
    if (service === 'HTTP') return plainError(503, 'unavailable');
    return awsError(service, 503, 'ServiceUnavailable', 'Service unavailable');
  }
  if (service === 'Kinesis') return awsError(service, 500, 'InternalFailure', 'Internal service failure');
  if (service === 'DynamoDB') return awsError(service, 500, 'InternalServerError', 'Internal server error');
  if (service === 'KMS') return awsError(service, 500, 'KMSInternalException', 'Internal error');
  if (service === 'SSM') return awsError(service, 500, 'InternalServerError', 'Internal error');
  return plainError(500, 'internal');
}
