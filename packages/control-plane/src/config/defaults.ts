/** The control region used locally when none is given. */
export const DEFAULT_CONTROL_REGION = 'eu-central-1';
/** Freshness window: batches signed further than this from now are refused. 5 minutes. */
export const DEFAULT_MAX_SKEW_MILLIS = 5 * 60 * 1000;
/** Longest a client of the local server may take to send a request's headers (slowloris). 10 seconds. */
export const DEFAULT_HEADERS_TIMEOUT_MILLIS = 10_000;
/** Longest a client of the local server may take to send a whole request: the deployed ingest's 30 s timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MILLIS = 30_000;
