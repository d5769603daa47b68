/**
 * What of an error may be logged: its name, an AWS or Node error code and HTTP status. Never the
 * message: a message can quote the input it choked on, and inputs here are personal data. The one
 * copy lives in `@residency/aws`, shared with the vault; it is re-exported here for the pipeline's
 * modules.
 */
export { describeError } from '@residency/aws';
