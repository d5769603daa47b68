import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KmsApiError } from './errors.ts';

/** Largest request body accepted, in bytes; KMS requests are a few KiB at most. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** The JSON 1.1 content type AWS KMS speaks. */
export const JSON_11 = 'application/x-amz-json-1.1';

/**
 * True for the JSON 1.1 media type, with or without parameters (`; charset=utf-8`), in any case
 * (media types are case-insensitive, RFC 9110 section 8.3.1).
 */
export function isJson11(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === JSON_11;
}

/** Reads a request body up to {@link MAX_REQUEST_BYTES}. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) {
      throw new KmsApiError('ValidationException', `Request body exceeds ${MAX_REQUEST_BYTES} bytes`, 413);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Sends a JSON 1.1 response with a request id, as AWS does. */
export function sendJson(
  res: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(statusCode, {
    'Content-Type': JSON_11,
    'Content-Length': String(payload.length),
    'x-amzn-RequestId': randomUUID(),
    ...headers,
  });
  res.end(payload);
}

/** Sends AWS's JSON error shape: `{"__type", "message"}` and header `x-amzn-ErrorType`. */
export function sendError(res: ServerResponse, error: KmsApiError): void {
  sendJson(
    res,
    error.statusCode,
    { __type: error.code, message: error.message },
    { 'x-amzn-ErrorType': error.code },
  );
}
