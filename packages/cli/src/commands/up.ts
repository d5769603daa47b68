import { runUp } from '@residency/local';
import type { Command } from 'commander';
import { integerArg } from '../args/numbers.ts';
import { DEFAULT_REGION, dataDirOf, withDataDir } from '../stack/options.ts';
import { localPipelinePlugins } from '../stack/plugins.ts';

/** Most shards per stream `up` starts. */
const MAX_SHARDS = 100;

/** `residency up`: the whole local stack on loopback until Ctrl-C. */
export function register(program: Command): void {
  withDataDir(
    program
      .command('up')
      .description(
        'start the local stack (Kinesis, DynamoDB, KMS, the pipeline functions, the control plane) until Ctrl-C',
      ),
  )
    .option('--region <region>', 'data region', DEFAULT_REGION)
    // The emulated Kinesis holds at most 1000 shards over all streams.
    .option('--shards <n>', `shards per stream, 1 to ${MAX_SHARDS}`, integerArg({ max: MAX_SHARDS }), 2)
    .action(async (options: { dataDir: string; region: string; shards: number }) => {
      const dataDir = dataDirOf(options);
      await runUp({
        dataDir,
        region: options.region,
        shardCount: options.shards,
        plugins: localPipelinePlugins({ dataDir }),
      });
    });
}
