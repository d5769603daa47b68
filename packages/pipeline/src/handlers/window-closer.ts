import type { Context } from 'aws-lambda';
import type { CloserRunReport } from '../closer/create-window-closer.ts';
import { createWindowCloserFromEnv } from '../wiring/window-closer-from-env.ts';
import { beginInvocation, coldStart, createFunctionTelemetry } from './lambda-runtime.ts';

const telemetry = createFunctionTelemetry('residency-window-closer');
const ready = coldStart(
  async () => (await createWindowCloserFromEnv(process.env, telemetry)).closer,
  telemetry.logger,
);

/**
 * The window closer Lambda, run on a schedule (for example every minute). Configuration comes
 * from the environment (see `WindowCloserEnvSchema`); the work is in `createWindowCloser`.
 */
export async function handler(_event: unknown, context: Context): Promise<CloserRunReport> {
  beginInvocation(telemetry, context);
  const closer = await ready();
  return closer.run();
}
