import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
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

/** `residency run`: the main job, end to end, in one command. */
export function register(program: Command): void {
  withDataDir(
    program
      .command('run')
      .description(
        'send events (a JSON-lines file, or a generated ClinicBook workload) through the whole local pipeline and account for every one',
      ),
  )
    .option('--input <file>', 'JSON lines, one event per line (default: generate a workload)')
    .option(
      '--events <n>',
      'events to generate when there is no --input',
      (v) => Number.parseInt(v, 10),
      3000,
    )
    .option('--seed <n>', 'seed of the generated workload', (v) => Number.parseInt(v, 10), 1)
    .option('--report <file>', 'write the report as JSON')
    .option('--region <region>', 'data region of a stack this run starts', DEFAULT_REGION)
    .option('--timeout-seconds <n>', 'how long to wait for every event', (v) => Number.parseInt(v, 10), 180)
    .option(
      '--window-seconds <n>',
      'aggregate window of a stack this run starts',
      (v) => Number.parseInt(v, 10),
      60,
    )
    .option('--serve', 'keep the stack and the dashboard up after the run until Ctrl-C', false)
    .action(async (options: RunOptions) => {
      const dataDir = dataDirOf(options);
      const input = options.input
        ? readJsonLines(options.input)
        : generatedLines(options.events, options.seed);
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const { report, ownStack } = await runPipeline({
        input,
        dataDir,
        region: options.region,
        timeoutMillis: options.timeoutSeconds * 1000,
        windowSeconds: options.windowSeconds,
        log,
      });
      process.stdout.write(`${formatSummary(report)}\n`);
      if (options.report) await writeFile(options.report, `${JSON.stringify(report, null, 2)}\n`);
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
      await ownStack?.stop();
      if (!report.complete)
        throw new CliError(`${report.unaccounted} events were not accounted for in time`, 3);
    });
}
