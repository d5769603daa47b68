export {
  type ClinicBookWorkloadOptions,
  createPerson,
  createRandom,
  createZipf,
  DEFAULT_MIX,
  type EventMix,
  generateClinicBook,
  type Random,
  type SyntheticPerson,
} from './generator/index.ts';
