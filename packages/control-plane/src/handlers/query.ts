import { functionUrlHandler } from '../http/function-url-adapter.ts';
import { createRouter } from '../http/router.ts';
import { wireFromEnv } from './wiring.ts';

const wiring = wireFromEnv('residency-control-plane-query');

/** Lambda function URL handler: the query API (/api/*) and the dashboard (/, /assets/*). */
export const handler = functionUrlHandler(createRouter({ store: wiring.store, dashboard: true }), (error) =>
  wiring.logger.error('query failed', { error: error instanceof Error ? error.name : 'unknown' }),
);
