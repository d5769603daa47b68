import type { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';

/**
 * The logging the functions do. Powertools' `Logger` satisfies it; so does a test double.
 * Attributes are counts, reasons, field paths, shard ids and sequence numbers: never an
 * identifier, a token, an event body or an error message (see `describeError`).
 */
export interface PipelineLogger {
  debug(message: string, attributes?: Record<string, unknown>): void;
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** A logger that drops everything. */
export const silentLogger: PipelineLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * {@link PipelineLogger} over a Powertools `Logger` (structured JSON on stdout, with the Lambda
 * context it was given). Attributes become top-level keys of the log line.
 *
 * @example const logger = createPowertoolsLogger(new Logger({ serviceName: 'residency-ingest' }));
 */
export function createPowertoolsLogger(logger: Logger): PipelineLogger {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, attributes?: Record<string, unknown>) => {
      if (attributes) logger[level](message, attributes as LogAttributes);
      else logger[level](message);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
