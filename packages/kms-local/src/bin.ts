#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createKmsServer } from './server.ts';

/**
 * Runs kms-local on its own, for the AWS CLI or manual checks:
 * `tsx packages/kms-local/src/bin.ts --region ap-south-1 --data-dir .residency [--port 4599]`.
 * Prints the endpoint URL; stops on SIGINT/SIGTERM.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      region: { type: 'string' },
      'data-dir': { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'account-id': { type: 'string', default: '000000000000' },
    },
  });
  const server = await createKmsServer({
    region: values.region ?? '',
    dataDir: values['data-dir'] ?? '',
    port: Number(values.port),
    host: values.host,
    accountId: values['account-id'],
  });
  process.stdout.write(`kms-local listening on ${server.url} (region ${server.region})\n`);
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`kms-local: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
