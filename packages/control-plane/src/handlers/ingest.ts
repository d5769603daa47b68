import { functionUrlHandler } from '../http/function-url-adapter.ts';
import { createRouter } from '../http/router.ts';
import { wireFromEnv } from './wiring.ts';

// Cold start: configuration and region checks run here, so a misconfigured function never serves.
const wiring = wireFromEnv('residency-control-plane-ingest');

/** Lambda function URL handler: POST /ingest with a signed batch. */
export const handler = functionUrlHandler(createRouter({ controlPlane: wiring.controlPlane }), (error) =>
  wiring.logger.error('ingest failed', { error: error instanceof Error ? error.name : 'unknown' }),
);
