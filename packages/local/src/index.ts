export {
  type EmulatorOptions,
  type RunningEmulator,
  startDynalite,
  startKinesalite,
} from './emulators/in-process.ts';
