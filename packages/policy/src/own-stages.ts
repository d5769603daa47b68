import type { StageTemplate } from './types.ts';

/** Options of `synthesizeOwnStages`. */
export interface OwnStagesOptions {
  /** Data region to synthesize the data stage for. */
  readonly dataRegion: string;
  /** Environment with `RESIDENCY_*` settings; unset ones get check placeholders. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Synthesizes this repository's data and control stages offline (see stacks/lib/synth.ts). The
 * stacks, SST and CDK load lazily, so checking a user's template never pays for them.
 */
export async function synthesizeOwnStages(options: OwnStagesOptions): Promise<StageTemplate[]> {
  // Before SST loads: no telemetry, and no end-of-support banner from the AWS SDK v2 it bundles.
  process.env.SST_TELEMETRY_DISABLED = '1';
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
  const { synthesizeStages } = await import('../../../stacks/lib/synth.ts');
  const stages = await synthesizeStages({
    env: { ...(options.env ?? process.env), RESIDENCY_DATA_REGION: options.dataRegion },
  });
  return stages.map((stage) => ({
    name: stage.stackName,
    plane: stage.plane,
    region: stage.region,
    account: stage.account,
    template: stage.template,
  }));
}
