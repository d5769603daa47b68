/** Reports how far a run is. Phases follow one another; each has a label and, optionally, a total. */
export interface Progress {
  /** Starts a phase of `total` units (events). */
  start(label: string, total: number): void;
  /** Adds `count` units done to the current phase. */
  advance(count: number): void;
  /** A phase without a count (one line, no bar). */
  step(label: string): void;
  /** Ends the current phase. */
  done(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Where to draw. Default: `process.stderr`. */
  stream?: NodeJS.WriteStream;
  /** Redraw at most this often on a TTY. Default: 100 ms. */
  redrawMillis?: number;
  /** Without a TTY, print a line at most this often. Default: 5000 ms. */
  lineMillis?: number;
  /** Width of the bar, characters. Default: 28. */
  barWidth?: number;
}

/** A {@link Progress} that shows nothing (tests, `--quiet`). */
export const silentProgress: Progress = { start() {}, advance() {}, step() {}, done() {} };

/**
 * A progress bar: on a TTY one line redrawn in place with `\r` (bar, percent, count, rate,
 * elapsed); otherwise plain lines now and then, so CI logs stay readable. No dependency.
 *
 * @example const progress = createProgress(); progress.start('hotpath warm', 30_000); progress.advance(2500);
 */
export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const redrawMillis = options.redrawMillis ?? 100;
  const lineMillis = options.lineMillis ?? 5000;
  const barWidth = options.barWidth ?? 28;
  let label = '';
  let total = 0;
  let done = 0;
  let startedAt = 0;
  let drawnAt = 0;
  let printedDone = -1;
  let open = false;

  const render = (): string => {
    const elapsed = (performance.now() - startedAt) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    if (total <= 0) return `${label}  ${formatSeconds(elapsed)}`;
    const fraction = Math.min(1, done / total);
    const filled = Math.round(fraction * barWidth);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}`;
    return `${label.padEnd(22)} [${bar}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}  ${formatRate(rate)}  ${formatSeconds(elapsed)}`;
  };
  const draw = (force: boolean) => {
    const now = performance.now();
    if (!force && now - drawnAt < (tty ? redrawMillis : lineMillis)) return;
    drawnAt = now;
    if (tty) {
      const columns = stream.columns ?? 120;
      stream.write(`\r\u001b[2K${render().slice(0, Math.max(20, columns - 1))}`);
    } else if (printedDone !== done) {
      printedDone = done;
      stream.write(`${render()}\n`);
    }
  };
  const finish = () => {
    if (!open) return;
    open = false;
    if (tty) {
      draw(true);
      stream.write('\n');
    } else if (total > 0) {
      draw(true);
    }
  };

  return {
    start(nextLabel, nextTotal) {
      finish();
      label = nextLabel;
      total = nextTotal;
      done = 0;
      printedDone = -1;
      startedAt = performance.now();
      open = true;
      if (tty) draw(true);
    },
    advance(count) {
      done += count;
      draw(done >= total);
    },
    step(nextLabel) {
      finish();
      label = nextLabel;
      total = 0;
      done = 0;
      printedDone = -1;
      startedAt = performance.now();
      open = true;
      draw(true);
    },
    done: finish,
  };
}

function formatRate(perSecond: number): string {
  if (perSecond >= 10_000) return `${(perSecond / 1000).toFixed(1)}k ev/s`;
  return `${Math.round(perSecond)} ev/s`;
}

function formatSeconds(seconds: number): string {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}
