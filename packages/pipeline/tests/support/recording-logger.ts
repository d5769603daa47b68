import type { PipelineLogger } from '../../src/index.ts';

/** One line a {@link recordingLogger} kept. */
export interface LoggedLine {
  level: string;
  message: string;
  attributes?: Record<string, unknown>;
}

/** A logger that keeps every line, to check what was logged and that no message leaked. */
export function recordingLogger(): { logger: PipelineLogger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at = (level: string) => (message: string, attributes?: Record<string, unknown>) => {
    lines.push({ level, message, ...(attributes ? { attributes } : {}) });
  };
  const logger: PipelineLogger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { logger, lines };
}
