import type { TestProject } from 'vitest/node';
import { synthesizeOwnStages } from '../src/own-stages.ts';
import type { StageTemplate } from '../src/types.ts';

/**
 * Synthesizes our stages once for the whole run (SST and CDK take seconds to load on a 2-core
 * machine) and hands the templates to every test file through `inject('ownStages')`.
 */
export default async function setup(project: TestProject): Promise<void> {
  project.provide('ownStages', await synthesizeOwnStages({ dataRegion: 'ap-south-1', env: {} }));
}

declare module 'vitest' {
  export interface ProvidedContext {
    ownStages: StageTemplate[];
  }
}
