import { isWindowSeconds, WINDOW_SECONDS_RULE } from '@residency/pipeline';
import { type Command, InvalidArgumentError } from 'commander';
import { checkInputFile, checkOutputFile, writeOutputFile } from '../args/files.ts';
import { integerArg } from '../args/numbers.ts';
import { CliError } from '../errors.ts';
import { generatedLines, readJsonLines } from '../run/input.ts';
import { formatSummary } from '../run/report.ts';
import { runPipeline } from '../run/run-pipeline.ts';
import { DEFAULT_REGION, dataDirOf, withDataDir } from '../stack/options.ts';

interface RunOptions {
  input?: string;
  dataDir: string;
  report?: string;
  events: number;
  seed: number;
  region: string;
  timeoutSeconds: number;
  windowSeconds: number;
  serve: boolean;
}

/** Exit code of a run whose events were not all accounted for in time. */
export const RUN_INCOMPLETE_EXIT_CODE = 3;

/** Largest generated workload: the load test's own cap on `--events`. */
export const MAX_GENERATED_EVENTS = 5_000_000;

/** Longest wait and window: one day. */
const MAX_SECONDS = 86_400;

/** The pipeline's own rule for a window length, so a run never starts a stack its ingest refuses. */
function windowSecondsArg(value: string): number {
  const seconds = integerArg({ max: MAX_SECONDS })(value);
  if (!isWindowSeconds(seconds)) throw new InvalidArgumentError(`expected ${WINDOW_SECONDS_RULE}`);
  return seconds;
}

/** `residency run`: the main job, end to end, in one command. */
export function register(program: Command): void {
  withDataDir(
    program
      .command('run')
      .description(
        'send events (a JSON-lines file, or a generated ClinicBook workload) through the whole local pipeline and account for every one; exit 0 all accounted for, 2 bad usage or input file, 3 events not accounted for in time',
      ),
  )
    .option('--input <file>', 'JSON lines, one event per line (default: generate a workload)')
    .option(
      '--events <n>',
      `events to generate when there is no --input, 1 to ${MAX_GENERATED_EVENTS}`,
      integerArg({ max: MAX_GENERATED_EVENTS }),
      3000,
    )
    .option('--seed <n>', 'seed of the generated workload', integerArg({ min: 0 }), 1)
    .option('--report <file>', 'write the report as JSON (replaces the file; its directory must exist)')
    .option('--region <region>', 'data region of a stack this run starts', DEFAULT_REGION)
    .option(
      '--timeout-seconds <n>',
      `how long to wait for every event, 1 to ${MAX_SECONDS}`,
      integerArg({ max: MAX_SECONDS }),
      180,
    )
    .option(
      '--window-seconds <n>',
      `aggregate window of a stack this run starts: ${WINDOW_SECONDS_RULE}`,
      windowSecondsArg,
      60,
    )
    .option('--serve', 'keep the stack and the dashboard up after the run until Ctrl-C', false)
    .action(async (options: RunOptions) => {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      // Before the stack starts: a missing input or an unwritable report would otherwise show only
      // after the whole run (the report's write then losing its result).
      if (options.input !== undefined) await checkInputFile(options.input, '--input');
      if (options.report !== undefined) {
        await checkOutputFile(options.report, '--report', {
          warn: log,
          ...(options.input !== undefined ? { notSameAs: options.input } : {}),
        });
      }
      const dataDir = dataDirOf(options);
      const input =
        options.input !== undefined
          ? readJsonLines(options.input)
          : generatedLines(options.events, options.seed);
      const { report, ownStack } = await runPipeline({
        input,
        dataDir,
        region: options.region,
        timeoutMillis: options.timeoutSeconds * 1000,
        windowSeconds: options.windowSeconds,
        log,
      });
      try {
        process.stdout.write(`${formatSummary(report)}\n`);
        if (options.report) await writeOutputFile(options.report, `${JSON.stringify(report, null, 2)}\n`);
        if (ownStack && !options.serve && report.controlPlane) {
          log('the dashboard stopped with the stack: add --serve (npm run main -- --serve) to keep it up');
        }
        if (ownStack && options.serve) {
          log('serving the dashboard; press Ctrl-C to stop');
          await new Promise<void>((resolve) => {
            process.once('SIGINT', resolve);
            process.once('SIGTERM', resolve);
          });
        }
      } finally {
        await ownStack?.stop();
      }
      if (!report.complete) {
        throw new CliError(
          `${report.unaccounted} events were not accounted for in time`,
          RUN_INCOMPLETE_EXIT_CODE,
        );
      }
    });
}
