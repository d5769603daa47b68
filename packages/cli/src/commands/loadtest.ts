import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import {
  ALL_SCENARIOS,
  argsWithSemiSpace,
  createProgress,
  DEFAULT_MIX,
  type EventMix,
  LOADTEST_DEFAULTS,
  LoadtestError,
  type LoadtestOptions,
  type LoadtestReport,
  lambdaSemiSpaceMb,
  renderCapacityMarkdown,
  renderHtml,
  renderTable,
  runLoadtest,
  type ScenarioName,
  semiSpaceOf,
  silentProgress,
} from '@residency/loadtest';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { checkOutputFile, writeOutputFile } from '../args/files.ts';
import { decimalArg, integerArg } from '../args/numbers.ts';
import { CliError } from '../errors.ts';
import { EXIT_CODES } from '../exit-codes.ts';

interface LoadtestFlags {
  events?: number;
  naiveEvents?: number;
  e2eEvents?: number;
  rate?: number;
  batchSize?: number;
  warmRepeats?: number;
  warmMeasurements?: number;
  recentEvents?: number;
  cold: boolean;
  seed?: number;
  initialPatients?: number;
  zipf?: number;
  mix?: Partial<EventMix>;
  newPatients?: number;
  canaries?: number;
  outbox: 'null-http' | 'stream';
  handler: 'pipeline' | 'core';
  lambdaMemory?: number;
  semiSpace?: number;
  region: string;
  priceRegion?: string;
  json?: string;
  html?: string;
  capacity?: string;
  quiet?: boolean;
  strict?: boolean;
  aws?: boolean;
  keyArn?: string;
  vaultTable?: string;
  auditTable?: string;
  naiveTable?: string;
  aggregatesTable?: string;
  quarantineTable?: string;
  eventsStream?: string;
  outboxStream?: string;
}

/**
 * `residency loadtest [scenario...]`: runs the load test (ceiling, hotpath, naive, e2e; `bench` or
 * nothing for all of them), prints the one-screen table, and writes `--json`, `--html` and
 * `--capacity` files. `pnpm bench` is `residency loadtest bench`.
 */
export function register(program: Command): void {
  program
    .command('loadtest')
    .description('measure the hot path against its ceiling and a naive design; price it; plan capacity')
    .argument('[scenarios...]', `any of ${ALL_SCENARIOS.join(', ')}; "bench" or none for all`)
    .option(
      '--events <n>',
      'events of the ceiling and the cold hot-path pass; warm passes repeat them (default 8000)',
      integer,
    )
    .option(
      '--naive-events <n>',
      'events of the naive design, the first of the same events (default 1500)',
      integer,
    )
    .option('--e2e-events <n>', 'events of the e2e scenario (default 2000)', integer)
    .option('--rate <events/s>', 'e2e target rate (default: flat out)', positive)
    .option('--batch-size <n>', 'records per Lambda invocation, cut at 6 MB (default 2500)', integer)
    .option(
      '--warm-repeats <n>',
      'warm hot-path passes over the events, measured together (default 4)',
      integer,
    )
    .option(
      '--warm-measurements <n>',
      'warm hot-path measurements; the median is reported, all are noted (default 5)',
      integer,
    )
    .option(
      '--recent-events <n>',
      'event ids the aggregates keep per window and shard, as AGGREGATE_RECENT_EVENTS (default 20000)',
      integer,
    )
    .option('--no-cold', 'skip measuring the cold passes (they still run once, to warm up)')
    .option('--seed <n>', 'workload seed (default 1)', integer)
    .option('--initial-patients <n>', 'patients known before the first event (default 2000)', integer)
    .option('--zipf <s>', 'Zipf exponent of patient popularity (default 1.1)', positive)
    .option(
      '--mix <type=weight,...>',
      'event type weights, e.g. note.added=0.5,payment.completed=0.1',
      parseMix,
    )
    .option('--new-patients <share>', 'share of patient.registered events (new patients), 0..1', share)
    .option('--canaries <share>', "share of the producer's canary events mixed in, 0..0.5 (default 0)", share)
    .addOption(
      new Option(
        '--outbox <mode>',
        'null-http: SDK client answered locally; stream: the target outbox stream',
      )
        .choices(['null-http', 'stream'])
        .default('null-http'),
    )
    .addOption(
      new Option(
        '--handler <handler>',
        'hot path handler: the pipeline, or the core composition as a reference',
      )
        .choices(['pipeline', 'core'])
        .default('pipeline'),
    )
    .option('--lambda-memory <mb>', 'Lambda memory for GB-second pricing (default 1769, one vCPU)', integer)
    .option(
      '--semi-space <mb>',
      "V8's largest semi-space while measuring (default: what Lambda's Node.js runtime gives --lambda-memory, a twentieth; 0: as this process was started)",
      wholeNumber,
    )
    .option('--region <region>', 'the data region', 'ap-south-1')
    .option('--price-region <region>', 'price table to use (default: --region)')
    .option('--json <file>', 'write the JSON report')
    .option('--html <file>', 'write a self-contained HTML report with charts')
    .option('--capacity <file>', 'write the capacity note (docs/capacity.md) from this run')
    .option('--quiet', 'no progress bar')
    .option('--strict', 'exit 1 when a goal is missed')
    .option('--aws', 'run against real AWS resources in --region (billed; see the loadtest README)')
    .option('--key-arn <arn>', '[--aws] KMS key ARN in the data region')
    .option('--vault-table <name>', '[--aws] vault table (pk S + sk S), empty for a cold pass')
    .option('--audit-table <name>', '[--aws] vault audit table')
    .option('--naive-table <name>', "[--aws] the naive design's table (pk S)")
    .option('--aggregates-table <name>', '[--aws] aggregates table')
    .option('--quarantine-table <name>', '[--aws] quarantine table')
    .option('--events-stream <name>', '[--aws] events stream name (used in record ARNs)')
    .option('--outbox-stream <name>', '[--aws] outbox stream (written with --outbox stream)')
    .action(async (scenarioArgs: string[], flags: LoadtestFlags) => {
      // V8 takes the semi-space only at start: measure in a process started as Lambda starts the
      // ingest. First, so that the checks and warnings below run once, in that process.
      const semiSpace =
        flags.semiSpace ?? lambdaSemiSpaceMb(flags.lambdaMemory ?? LOADTEST_DEFAULTS.lambdaMemoryMb);
      if (semiSpace > 0 && semiSpaceOf(process.execArgv, process.env.NODE_OPTIONS) !== semiSpace) {
        process.exitCode = await runAgainWithSemiSpace(semiSpace);
        return;
      }
      const scenarios = parseScenarios(scenarioArgs);
      const outputs: Array<[string | undefined, string, (report: LoadtestReport) => string]> = [
        [flags.json, '--json', (report) => `${JSON.stringify(report, null, 2)}\n`],
        [flags.html, '--html', renderHtml],
        [flags.capacity, '--capacity', renderCapacityMarkdown],
      ];
      // Before the run, which takes minutes: a report that cannot be written would lose it.
      const warn = (line: string) => process.stderr.write(`${line}\n`);
      for (const [file, flag] of outputs) if (file !== undefined) await checkOutputFile(file, flag, { warn });
      const options: LoadtestOptions = {
        scenarios,
        cold: flags.cold,
        outbox: flags.outbox,
        handler: flags.handler === 'core' ? 'core-composition' : 'pipeline',
        region: flags.region,
        // The CLI's composition root of the local pipeline, started in the e2e stack's process.
        e2ePlugins: {
          module: new URL('../stack/plugins.ts', import.meta.url).href,
          exportName: 'localPipelinePlugins',
        },
        progress: flags.quiet ? silentProgress : createProgress(),
        ...defined({
          events: flags.events,
          naiveEvents: flags.naiveEvents,
          e2eEvents: flags.e2eEvents,
          e2eRate: flags.rate,
          batchSize: flags.batchSize,
          warmRepeats: flags.warmRepeats,
          warmMeasurements: flags.warmMeasurements,
          recentEvents: flags.recentEvents,
          seed: flags.seed,
          initialPatients: flags.initialPatients,
          zipfExponent: flags.zipf,
          canaryShare: flags.canaries,
          lambdaMemoryMb: flags.lambdaMemory,
          priceRegion: flags.priceRegion,
          mix: mixOf(flags),
        }),
      };
      if (flags.aws) {
        options.aws = awsOptions(flags);
        process.stderr.write(
          `residency loadtest: running against real AWS in ${flags.region}; every call is billed to your account\n`,
        );
      }
      let report: LoadtestReport;
      try {
        report = await runLoadtest(options);
      } catch (error) {
        if (error instanceof LoadtestError)
          throw new CliError(error.message, EXIT_CODES.usage, { cause: error });
        throw error;
      }
      process.stdout.write(renderTable(report));
      for (const [file, , render] of outputs) {
        if (file === undefined) continue;
        await writeOutputFile(file, render(report));
        process.stderr.write(`residency loadtest: wrote ${file}\n`);
      }
      const failed = report.skipped.filter((s) => s.reason.startsWith('failed'));
      if (failed.length > 0) process.exitCode = EXIT_CODES.failed;
      if (flags.strict && report.goals.some((g) => g.met === false)) process.exitCode = EXIT_CODES.failed;
    });
}

function parseScenarios(args: string[]): ScenarioName[] {
  if (args.length === 0 || args.includes('bench') || args.includes('all')) return [...ALL_SCENARIOS];
  const unknown = args.filter((a) => !(ALL_SCENARIOS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    throw new CliError(
      `unknown scenario ${unknown.map((a) => (SCENARIO_LIKE.test(a) ? a : '(not shown)')).join(', ')} (have ${ALL_SCENARIOS.join(', ')}, bench)`,
      EXIT_CODES.usage,
    );
  }
  return args as ScenarioName[];
}

function awsOptions(flags: LoadtestFlags): NonNullable<LoadtestOptions['aws']> {
  const need = (value: string | undefined, flag: string): string => {
    if (!value) throw new CliError(`--aws needs ${flag}`, EXIT_CODES.usage);
    return value;
  };
  return {
    keyArn: need(flags.keyArn, '--key-arn'),
    tables: {
      vault: need(flags.vaultTable, '--vault-table'),
      audit: need(flags.auditTable, '--audit-table'),
      naiveVault: need(flags.naiveTable, '--naive-table'),
      ...defined({ aggregates: flags.aggregatesTable, quarantine: flags.quarantineTable }),
    },
    streams: {
      events: need(flags.eventsStream, '--events-stream'),
      outbox: need(flags.outboxStream, '--outbox-stream'),
    },
  };
}

function mixOf(flags: LoadtestFlags): Partial<EventMix> | undefined {
  if (flags.newPatients === undefined) return flags.mix;
  const mix: EventMix = { ...DEFAULT_MIX, ...flags.mix };
  const others = Object.entries(mix)
    .filter(([type]) => type !== 'patient.registered')
    .reduce((sum, [, weight]) => sum + weight, 0);
  if (flags.newPatients >= 1) throw new CliError('--new-patients must be below 1', EXIT_CODES.usage);
  return { ...mix, 'patient.registered': (flags.newPatients * others) / (1 - flags.newPatients) };
}

// Whole numbers in decimal digits (`1e3`, `0x10`, `-1` are refused here); the load test checks each one's range.
const integer = integerArg();
const wholeNumber = integerArg({ min: 0, max: 4096 });
const positive = decimalArg({ min: 0, max: Number.MAX_SAFE_INTEGER, aboveMin: true });
const share = decimalArg({ min: 0, max: 1 });

// A scenario name is echoed in the error; anything else given is not (it may be a stray value).
const SCENARIO_LIKE = /^[a-z][a-z0-9-]{0,31}$/;

function parseMix(value: string): Partial<EventMix> {
  const mix: Record<string, number> = {};
  for (const part of value.split(',')) {
    const [type, weight] = part.split('=');
    const n = weight !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(weight) ? Number(weight) : Number.NaN;
    if (!type || !Object.hasOwn(DEFAULT_MIX, type) || !(n >= 0)) {
      throw new InvalidArgumentError(`type=weight pairs of ${Object.keys(DEFAULT_MIX).join(', ')}`);
    }
    mix[type] = n;
  }
  return mix as Partial<EventMix>;
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Runs this command again, with its arguments, in a Node process started with
 * `--max-semi-space-size`, its output straight through, and answers its exit code.
 */
async function runAgainWithSemiSpace(megabytes: number): Promise<number> {
  const child = spawn(process.execPath, argsWithSemiSpace(process.execArgv, process.argv, megabytes), {
    stdio: 'inherit',
  });
  // The terminal's Ctrl-C reaches both processes; the child stops itself and its emulators.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1)),
      );
    });
  } finally {
    process.off('SIGINT', ignore);
  }
}
