import { createServer } from 'node:net';
import { PortInUseError } from '../errors.ts';

/**
 * Precondition for a fixed port: nothing listens on 127.0.0.1:`port`. Checked before an emulator
 * opens its database, so a busy port fails fast and leaves no database locked. Port 0 (any free
 * port) is always fine.
 */
export async function assertPortFree(service: string, port: number): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve());
    });
  } catch (error) {
    throw new PortInUseError(service, port, { cause: error });
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Turns a listen error on a fixed port into {@link PortInUseError}; other errors pass through. */
export function asPortError(service: string, port: number, error: unknown): unknown {
  return (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE'
    ? new PortInUseError(service, port, { cause: error })
    : error;
}
