import { resolve } from 'node:path';
import { createAwsClients, readEndpointsFile } from '@residency/aws';
import {
  createDynamoControlPlaneStore,
  exportToJsonl,
  readControlPlaneDescriptor,
} from '@residency/control-plane';
import type { Command } from 'commander';
import { dataDirOf, withDataDir } from '../stack/options.ts';

/**
 * `residency export --data-dir DIR --out FILE`: writes every record and aggregate the local
 * control plane holds, one JSON object per line. Finds the control plane's own DynamoDB and
 * tables through `DIR/endpoints.json` (`extra.controlPlane`).
 */
export function register(program: Command): void {
  withDataDir(
    program
      .command('export')
      .description('write every record and aggregate the control plane holds to a JSON-lines file'),
  )
    .requiredOption('--out <file>', 'output file (JSON lines)')
    .action(async (options: { dataDir: string; out: string }) => {
      const descriptor = readControlPlaneDescriptor(await readEndpointsFile(dataDirOf(options)));
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
      }
    });
}
