/**
 * What of an error may be logged: its name, an AWS error code and HTTP status. Never the message:
 * a message can quote the input it choked on, and inputs here are personal data.
 */
export function describeError(error: unknown): {
  errorName: string;
  errorCode?: string;
  httpStatus?: number;
} {
  if (!(error instanceof Error)) return { errorName: typeof error };
  const aws = error as Error & { Code?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return {
    errorName: error.name,
    ...(typeof aws.Code === 'string' ? { errorCode: aws.Code } : {}),
    ...(typeof aws.$metadata?.httpStatusCode === 'number'
      ? { httpStatus: aws.$metadata.httpStatusCode }
      : {}),
  };
}
