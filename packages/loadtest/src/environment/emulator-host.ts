// The local emulators of a load-test run, in their own process: kinesalite, dynalite and the KMS
// endpoint (startLocalStack), and for e2e the pipeline's plugins, run on the other core, so the
// hot path's CPU figures are the handler's alone. Started by target.ts with `fork`; speaks over
// the IPC channel (host-protocol.ts).
import {
  extendLocalResources,
  LocalResources,
  type LocalStackPlugin,
  startLocalStack,
} from '@residency/local';
import type { HostMessage } from './host-protocol.ts';
import { NAIVE_VAULT_TABLE } from './host-protocol.ts';

const [dataDir, region, pluginsModule, pluginsExport, pluginsOptions] = process.argv.slice(2);
const send = (message: HostMessage) => process.send?.(message);

async function loadPlugins(): Promise<LocalStackPlugin[]> {
  if (!pluginsModule || !pluginsExport || !dataDir) return [];
  const module = (await import(pluginsModule)) as Record<string, unknown>;
  const factory = module[pluginsExport];
  if (typeof factory !== 'function') throw new Error(`${pluginsModule} has no function ${pluginsExport}`);
  const extra = pluginsOptions ? (JSON.parse(pluginsOptions) as Record<string, unknown>) : {};
  return (await factory({ ...extra, dataDir })) as LocalStackPlugin[];
}

try {
  if (!dataDir || !region) throw new Error('usage: emulator-host DATA_DIR REGION [PLUGINS_MODULE EXPORT]');
  const resources = extendLocalResources(LocalResources, {
    tables: { naiveVault: { name: NAIVE_VAULT_TABLE, partitionKey: { name: 'pk', type: 'S' } } },
  });
  const plugins = await loadPlugins();
  const stack = await startLocalStack({ dataDir, region, resources, shardCount: 1, plugins });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stack
      .stop()
      .catch(() => undefined)
      .then(() => process.exit(0));
    return stopping;
  };
  process.on('message', (message: HostMessage) => {
    if (message.type === 'stop') void stop();
    if (message.type === 'usage') {
      const cpu = process.cpuUsage();
      send({ type: 'usage-report', cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() });
    }
  });
  process.on('disconnect', () => void stop());
  send({
    type: 'ready',
    endpointsFile: stack.endpointsFile,
    endpointsFilePath: stack.endpointsFilePath,
    plugins: plugins.length,
  });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
