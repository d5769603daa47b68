// Runs kinesalite in its own process, so the emulator and the producer under test each get a core.
import { startKinesalite } from '@residency/local';

const emulator = await startKinesalite({ region: process.env.KINESALITE_REGION ?? 'ap-south-1' });
process.send?.({ url: emulator.url });
process.on('disconnect', () => {
  void emulator.close().finally(() => process.exit(0));
});
