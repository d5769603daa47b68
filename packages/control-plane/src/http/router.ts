import { INGEST_PATH } from '@residency/border';
import { loadAsset } from '../dashboard/assets.ts';
import { dashboardHtml } from '../dashboard/page.ts';
import type { ControlPlane } from '../ingest/create-control-plane.ts';
import { handleQuery } from '../query/query-api.ts';
import type { ControlPlaneStore } from '../store/control-plane-store.ts';
import { type HttpHandler, type HttpResponse, json } from './http-types.ts';

/** What a router serves: ingest (POST /ingest), the query API and the dashboard; each can be left out. */
export interface RouterOptions {
  /** Serves POST /ingest when given. */
  controlPlane?: ControlPlane;
  /** Serves /api/* when given. */
  store?: ControlPlaneStore;
  /** Serves the dashboard at / and /assets/* (needs `store`). Default: true when `store` is given. */
  dashboard?: boolean;
}

// The page and its scripts come from this origin only; no CDN, nothing inline.
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

// A 405 names the methods the resource has (RFC 9110, 15.5.6).
function notAllowed(allow: string): HttpResponse {
  const response = json(405, { ok: false, reason: 'method' });
  return { ...response, headers: { ...response.headers, allow } };
}

/**
 * Routes control-plane requests. The same router runs behind Node's http server (local) and
 * behind Lambda function URLs (the ingest and the query functions each mount their part).
 *
 * @example const route = createRouter({ controlPlane, store }); const response = await route(request);
 */
export function createRouter(options: RouterOptions): HttpHandler {
  const dashboard = options.dashboard ?? options.store !== undefined;
  return async (request): Promise<HttpResponse> => {
    const { method, path } = request;
    if (path === INGEST_PATH && options.controlPlane) {
      if (method !== 'POST') return notAllowed('POST');
      const { status, response } = await options.controlPlane.ingest({
        body: request.body,
        headers: request.headers,
      });
      return json(status, response);
    }
    if (method !== 'GET' && method !== 'HEAD')
      return servesGet(options, dashboard, path) ? notAllowed('GET, HEAD') : notFound();
    if (options.store && path.startsWith('/api/')) {
      const answer = await handleQuery(options.store, request);
      if (answer) return answer;
    }
    if (dashboard && (path === '/' || path === '/index.html')) {
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8', ...PAGE_HEADERS },
        body: dashboardHtml(),
      };
    }
    if (dashboard && path.startsWith('/assets/')) {
      const asset = loadAsset(path.slice('/assets/'.length));
      if (asset) {
        const { contentType, body } = await asset;
        return {
          status: 200,
          headers: { 'content-type': contentType, 'cache-control': 'max-age=300', ...PAGE_HEADERS },
          body,
        };
      }
    }
    return notFound();
  };
}

const notFound = () => json(404, { ok: false, reason: 'not-found' });

// Whether GET has a resource at this path (so another method there is 405, not 404).
function servesGet(options: RouterOptions, dashboard: boolean, path: string): boolean {
  if (options.store && path.startsWith('/api/')) return true;
  return dashboard && (path === '/' || path === '/index.html' || path.startsWith('/assets/'));
}
