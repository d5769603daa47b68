import { join, resolve } from 'node:path';
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
    .requiredOption('--out <file>', 'output file (JSON lines)')
    .action(async (options: { dataDir: string; out: string }) => {
      const dataDir = dataDirOf(options);
      let dynalite: RunningEmulator | undefined;
      let descriptor: Pick<ControlPlaneDescriptor, 'region' | 'dynamodb' | 'tables'>;
      const running = await readEndpointsFile(dataDir).catch(() => undefined);
      if (running?.endpoints.controlPlane) {
        descriptor = readControlPlaneDescriptor(running);
      } else {
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
        const summary = await exportToJsonl(store, resolve(options.out));
        process.stdout.write(
          `${summary.records} records, ${summary.aggregates} aggregates written to ${options.out}\n`,
        );
      } finally {
        clients.destroy();
        await dynalite?.close();
      }
    });
}
