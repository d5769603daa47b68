import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createAwsClients, readEndpointsFile } from '@residency/aws';
import {
  type ControlPlaneDescriptor,
  createDynamoControlPlaneStore,
  DEFAULT_CONTROL_PLANE_TABLES,
  DEFAULT_CONTROL_REGION,
  exportToJsonl,
  readControlPlaneDescriptor,
} from '@residency/control-plane';
import { type RunningEmulator, startDynalite } from '@residency/local';
import type { Command } from 'commander';
import { checkOutputFile, replaceWith } from '../args/files.ts';
import { CliError } from '../errors.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import { dataDirOf, withDataDir } from '../stack/options.ts';

/**
 * `residency export --data-dir DIR --out FILE`: writes every record and aggregate the local
 * control plane holds, one JSON object per line. With a stack running on DIR it reads the control
 * plane's own DynamoDB through `DIR/endpoints.json`; with none, it opens the control plane's data
 * under `DIR/control-plane` itself (after `residency run`, which stops what it started).
 */
export function register(program: Command): void {
  withDataDir(
    program
      .command('export')
      .description('write every record and aggregate the control plane holds to a JSON-lines file'),
  )
    .requiredOption('--out <file>', 'output file (JSON lines; replaces the file; its directory must exist)')
    .action(async (options: { dataDir: string; out: string }) => {
      const dataDir = dataDirOf(options);
      await checkOutputFile(options.out, '--out', { warn: (line) => process.stderr.write(`${line}\n`) });
      let dynalite: RunningEmulator | undefined;
      let descriptor: Pick<ControlPlaneDescriptor, 'region' | 'dynamodb' | 'tables'>;
      const running = await readEndpointsFile(dataDir).catch(() => undefined);
      if (running?.endpoints.controlPlane) {
        descriptor = readControlPlaneDescriptor(running);
      } else {
        // Opening a directory that holds no control plane would create an empty one and export
        // nothing, with exit 0: a mistyped --data-dir would look like an empty control plane.
        await needControlPlaneData(dataDir, options.dataDir);
        dynalite = await startDynalite({
          region: DEFAULT_CONTROL_REGION,
          dataDir: join(dataDir, 'control-plane'),
        });
        descriptor = {
          region: DEFAULT_CONTROL_REGION,
          dynamodb: dynalite.url,
          tables: DEFAULT_CONTROL_PLANE_TABLES,
        };
      }
      const clients = createAwsClients({
        region: descriptor.region,
        endpoints: { dynamodb: descriptor.dynamodb },
      });
      try {
        const store = createDynamoControlPlaneStore({
          dynamodb: clients.dynamodb,
          tables: descriptor.tables,
        });
        let summary: Awaited<ReturnType<typeof exportToJsonl>> = { records: 0, aggregates: 0 };
        // Written beside the file and renamed over it: a failed export leaves no half file.
        await replaceWith(options.out, async (temp) => {
          summary = await exportToJsonl(store, temp);
        });
        process.stdout.write(
          `${summary.records} records, ${summary.aggregates} aggregates written to ${options.out}\n`,
        );
      } finally {
        clients.destroy();
        await dynalite?.close();
      }
    });
}

async function needControlPlaneData(dataDir: string, given: string): Promise<void> {
  const dir = join(dataDir, 'control-plane');
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw new CliError(
      `no control plane in --data-dir ${given} (no running stack, no ${join(given, 'control-plane')}): run 'residency run' or 'residency up' first`,
      EXIT_CODES.usage,
    );
  }
}
