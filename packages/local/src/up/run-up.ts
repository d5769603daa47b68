import { type LocalStack, type StartLocalStackOptions, startLocalStack } from './start-local-stack.ts';

/** Options of {@link runUp}. */
export interface RunUpOptions extends StartLocalStackOptions {
  /** Stops the stack when aborted, besides SIGINT/SIGTERM (tests, embedding). Default: none. */
  signal?: AbortSignal;
  /** Where status lines go. Default: `console.log`. */
  log?: (line: string) => void;
}

/**
 * What `pnpm residency up` runs: starts the local stack, prints where `endpoints.json` is, waits
 * for SIGINT or SIGTERM (or `signal`), then stops everything and resolves. A start failure
 * (port in use, locked directory, bad region) rejects with the error from {@link startLocalStack}.
 *
 * @example await runUp({ dataDir: '.residency', region: 'ap-south-1' });
 */
export async function runUp(options: RunUpOptions): Promise<void> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { signal, log: _log, ...stackOptions } = options;
  const stack: LocalStack = await startLocalStack(stackOptions);
  const { endpoints } = stack.endpointsFile;
  log(`residency up: ${stack.endpointsFilePath}`);
  log(`  kinesis  ${endpoints.kinesis}`);
  log(`  dynamodb ${endpoints.dynamodb}`);
  log(`  kms      ${endpoints.kms}  (${stack.endpointsFile.keyArn})`);
  log('  press Ctrl-C to stop');
  await new Promise<void>((resolve) => {
    const finish = () => {
      process.off('SIGINT', finish);
      process.off('SIGTERM', finish);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    process.on('SIGINT', finish);
    process.on('SIGTERM', finish);
    signal?.addEventListener('abort', finish);
    if (signal?.aborted) finish();
  });
  log('residency up: stopping');
  await stack.stop();
  log('residency up: stopped');
}
