import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { functionUrlHandler, json } from '../../src/index.ts';

const event = (overrides: Partial<APIGatewayProxyEventV2>): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: '/ingest',
    rawQueryString: 'a=1',
    headers: { 'X-Residency-Key-Id': 'k1' },
    requestContext: { http: { method: 'POST' } },
    isBase64Encoded: false,
    ...overrides,
  }) as APIGatewayProxyEventV2;

describe('function URL adapter', () => {
  it('hands the router the exact body bytes, lower-cased headers, path and query', async () => {
    // Prepare
    let seen:
      | { body: string; key: string | undefined; path: string; a: string | null; method: string }
      | undefined;
    const handler = functionUrlHandler(
      async (request) => {
        seen = {
          body: request.body.toString('utf8'),
          key: request.headers['x-residency-key-id'],
          path: request.path,
          a: request.query.get('a'),
          method: request.method,
        };
        return json(200, { ok: true });
      },
      () => undefined,
    );
    // Act
    const result = await handler(
      event({ body: Buffer.from('{"x":1}').toString('base64'), isBase64Encoded: true }),
    );
    // Assess
    expect(seen).toEqual({ body: '{"x":1}', key: 'k1', path: '/ingest', a: '1', method: 'POST' });
    expect(result).toMatchObject({ statusCode: 200, body: '{"ok":true}', isBase64Encoded: false });
  });

  it('answers 500 without details when the router throws', async () => {
    // Prepare
    const errors: unknown[] = [];
    const handler = functionUrlHandler(
      async () => {
        throw new Error('secret detail');
      },
      (error) => errors.push(error),
    );
    // Act
    const result = await handler(event({}));
    // Assess
    expect(result).toMatchObject({ statusCode: 500 });
    expect(JSON.stringify(result)).not.toContain('secret');
    expect(errors).toHaveLength(1);
  });
});
