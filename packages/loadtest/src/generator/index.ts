export {
  type ClinicBookWorkloadOptions,
  DEFAULT_MIX,
  type EventMix,
  generateClinicBook,
} from './clinicbook.ts';
export { createPerson, type SyntheticPerson } from './people.ts';
export { createRandom, type Random } from './random.ts';
export { createZipf } from './zipf.ts';
