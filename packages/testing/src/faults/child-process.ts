import { type ChildProcess, spawn } from 'node:child_process';
import type { Bounceable } from './bounceable.ts';
import { ComponentStartError } from './errors.ts';

/** Options of {@link startChildProcess}. */
export interface ChildProcessOptions {
  /** For errors and reports. */
  name: string;
  command: string;
  /** Arguments, computed at each start (a restart may pass what the first run reported). */
  args: () => readonly string[];
  cwd?: string;
  /** Default: this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** A line of stdout that says the process is ready. */
  readyPattern: RegExp;
  /** Default: 60000. */
  startTimeoutMillis?: number;
  /** How long a clean stop (SIGTERM) may take before SIGKILL. Default: 10000. */
  stopTimeoutMillis?: number;
}

/** A child process that can be stopped cleanly, killed, and started again. */
export interface ChildComponent extends Bounceable {
  readonly pid: number | undefined;
  /** The match of `readyPattern` in the current run. */
  readonly ready: RegExpMatchArray | undefined;
  /** Sends `signal` (default SIGKILL: no chance to clean up) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Everything the process printed (all runs), for diagnosis. */
  output(): string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Runs a command as a restartable component: `start()` resolves when a line of stdout matches
 * `readyPattern`; `kill()` is `kill -9` (the process gets no chance to flush or release
 * anything); `stop()` is SIGTERM with a deadline. Children still running when this process
 * exits are killed.
 *
 * @example
 * const child = startChildProcess({ name: 'up', command: process.execPath, args: () => [script], readyPattern: /^READY (.*)$/ });
 * await child.start();
 * await child.kill();
 * await child.start();
 */
export function startChildProcess(options: ChildProcessOptions): ChildComponent {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const child of live) child.kill('SIGKILL');
    });
  }
  const chunks: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let ready: RegExpMatchArray | undefined;
  let restarts = 0;

  const start = async () => {
    if (child) return;
    const proc = spawn(options.command, [...options.args()], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    live.add(proc);
    exited = new Promise<void>((resolve) => {
      proc.once('exit', () => {
        live.delete(proc);
        if (child === proc) child = undefined;
        resolve();
      });
    });
    proc.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
    ready = await new Promise<RegExpMatchArray>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(
          new ComponentStartError(`${options.name} was not ready in time:\n${tail(chunks)}`, options.name),
        );
      }, options.startTimeoutMillis ?? 60_000);
      proc.stdout?.on('data', (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        chunks.push(text);
        buffered += text;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const match = line.match(options.readyPattern);
          if (match) {
            clearTimeout(timer);
            resolve(match);
          }
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new ComponentStartError(
            `${options.name} exited (${signal ?? code}) before it was ready:\n${tail(chunks)}`,
            options.name,
          ),
        );
      });
      proc.once('error', (cause) => {
        clearTimeout(timer);
        reject(new ComponentStartError(`${options.name} could not be spawned`, options.name, { cause }));
      });
    });
  };

  const signalAndWait = async (signal: NodeJS.Signals, deadlineMillis?: number) => {
    const proc = child;
    if (!proc) return;
    proc.kill(signal);
    if (deadlineMillis === undefined) return exited;
    const timer = setTimeout(() => proc.kill('SIGKILL'), deadlineMillis);
    await exited;
    clearTimeout(timer);
  };

  return {
    name: options.name,
    get running() {
      return child !== undefined;
    },
    get restarts() {
      return restarts;
    },
    get pid() {
      return child?.pid;
    },
    get ready() {
      return ready;
    },
    start,
    stop: () => signalAndWait('SIGTERM', options.stopTimeoutMillis ?? 10_000),
    kill: (signal = 'SIGKILL') => signalAndWait(signal),
    async restart(restartOptions = {}) {
      await signalAndWait('SIGTERM', options.stopTimeoutMillis ?? 10_000);
      if (restartOptions.downMillis) await new Promise((r) => setTimeout(r, restartOptions.downMillis));
      await start();
      restarts += 1;
    },
    output: () => chunks.join(''),
  };
}

function tail(chunks: readonly string[]): string {
  return chunks.join('').split('\n').slice(-20).join('\n');
}
