import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { HttpHandler } from './http-types.ts';

/**
 * Adapts an {@link HttpHandler} to a Lambda function URL (payload format 2.0). Binary bodies go
 * out base64-encoded, as function URLs require.
 */
export function functionUrlHandler(handler: HttpHandler, onError: (error: unknown) => void) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
    const body = event.body
      ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
      : Buffer.alloc(0);
    try {
      const response = await handler({
        method: event.requestContext?.http?.method ?? 'GET',
        path: event.rawPath ?? '/',
        query: new URLSearchParams(event.rawQueryString ?? ''),
        headers,
        body,
      });
      const binary = Buffer.isBuffer(response.body);
      return {
        statusCode: response.status,
        headers: response.headers,
        body: binary ? (response.body as Buffer).toString('base64') : (response.body as string),
        isBase64Encoded: binary,
      };
    } catch (error) {
      onError(error);
      return {
        statusCode: 500,
        headers: { 'content-type': 'application/json' },
        body: '{"ok":false,"reason":"internal"}',
      };
    }
  };
}
