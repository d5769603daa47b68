/** A request as the router sees it, whether it came from Node's http server or a Lambda function URL. */
export interface HttpRequest {
  method: string;
  /** Path without the query string, e.g. `/api/counts`. */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
}

/** A response: status, headers, body. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Handles one request; never throws for bad input (answers 4xx), only for bugs. */
export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse>;

/** A JSON response with no caching, which a browser never sniffs into anything else (a stored label is data). */
export function json(status: number, value: unknown): HttpResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: JSON.stringify(value),
  };
}
