/** The control region used locally when none is given. */
export const DEFAULT_CONTROL_REGION = 'eu-central-1';
/** Freshness window: batches signed further than this from now are refused. 5 minutes. */
export const DEFAULT_MAX_SKEW_MILLIS = 5 * 60 * 1000;
