import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A Kinesis emulator for tests. */
export interface TestKinesis {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts kinesalite in a child process (one core for the emulator, one for the producer: the
 * 100,000-event burst is bound by the emulator's CPU). Same emulator `startKinesalite` runs.
 */
export async function startChildKinesalite(region: string): Promise<TestKinesis> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./kinesalite-child.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, KINESALITE_REGION: region },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`kinesalite child exited with ${code}`)));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}
