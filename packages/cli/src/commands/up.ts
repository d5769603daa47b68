import { runUp } from '@residency/local';
import type { Command } from 'commander';
import { DEFAULT_REGION, dataDirOf, withDataDir } from '../stack/options.ts';
import { localPipelinePlugins } from '../stack/plugins.ts';

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
    .option('--shards <n>', 'shards per stream', (v) => Number.parseInt(v, 10), 2)
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
