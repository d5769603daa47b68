import { randomUUID } from 'node:crypto';
import type { Alert, ControlPlaneStore } from '../store/control-plane-store.ts';

/** Port: where the control plane logs. Ids, codes and counts only. */
export interface ControlPlaneLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Discards logs. */
export const silentControlPlaneLogger: ControlPlaneLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * Raises an alert: one row in the alerts table and one error log line, neither with a value.
 * A failure to store the alert is logged, never hidden, and does not change the answer.
 */
export async function raiseAlert(
  store: ControlPlaneStore,
  logger: ControlPlaneLogger,
  nowIso: string,
  alert: Omit<Alert, 'id' | 'at'>,
  message = 'ALERT: batch refused at the border',
): Promise<Alert> {
  const full: Alert = { id: randomUUID(), at: nowIso, ...alert };
  logger.error(message, { ...full });
  try {
    await store.putAlert(full);
  } catch (error) {
    logger.error('could not store alert', {
      alertId: full.id,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
  return full;
}
