// A `residency up` without plugins in a process of its own, for tests that kill -9 it:
//   node --import tsx local-stack-main.ts '{"dataDir":"...","region":"ap-south-1","ports":{...}}'
// Prints `RESIDENCY_LOCAL_STACK_READY <endpoints.json>` once serving; stops cleanly on SIGTERM.
import { startLocalStack } from '@residency/local';

const options = JSON.parse(process.argv[2] ?? '{}') as {
  dataDir: string;
  region: string;
  ports?: { kinesis?: number; dynamodb?: number; kms?: number };
  shardCount?: number;
};
const stack = await startLocalStack(options);
process.stdout.write(`RESIDENCY_LOCAL_STACK_READY ${JSON.stringify(stack.endpointsFile)}\n`);
const shutdown = () => {
  stack.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
