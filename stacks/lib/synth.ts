import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'sst/constructs/App.js';
import { getStack } from 'sst/constructs/FunctionalStack.js';
import { setProject } from 'sst/project.js';
import { ControlPlane } from '../ControlPlane.ts';
import { DataPlane } from '../DataPlane.ts';
import { loadStageConfig, type Plane, type StageConfig, validateStageConfig } from './config.ts';
import { provideStageConfig } from './stage.ts';

/** One synthesized stage: its CloudFormation template and where it would deploy. */
export interface SynthesizedStage {
  /** SST stage name, e.g. `check-data`. */
  readonly stage: string;
  readonly plane: Plane;
  /** The CloudFormation stack name. */
  readonly stackName: string;
  readonly region: string;
  readonly account: string;
  /** The CloudFormation template, as JSON. */
  readonly template: Record<string, unknown>;
}

/** Options of `synthesizeStages`. */
export interface SynthesizeOptions {
  /** Stage name prefix; stages are `<prefix>-data` and `<prefix>-control`. Default `check`. */
  readonly stagePrefix?: string;
  /**
   * Account id written into ARNs. Default: the account `RESIDENCY_PRODUCER_ROLES` names (those roles
   * must be of the stage's account, so a check of a real configuration synthesizes in it), else
   * `123456789012`. No credentials are read.
   */
  readonly account?: string;
  /** `RESIDENCY_*` settings, as in the environment of a deployment. Default none (placeholders). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Configuration overrides applied to both stages (regions, origin, retention, ...). */
  readonly overrides?: Partial<Omit<StageConfig, 'plane'>>;
  /** Which planes to synthesize. Default both. */
  readonly planes?: readonly Plane[];
}

/** Settings a deployment must provide, with placeholders so a check can run without them. */
const CHECK_PLACEHOLDERS = {
  RESIDENCY_CONTROL_PLANE_ORIGIN: 'https://control-plane.example.com',
  // An Ed25519 public key whose private key was discarded when it was made: verifies nothing.
  RESIDENCY_SIGNING_PUBLIC_KEYS: JSON.stringify({
    check:
      '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAvrwRiBDYCVpF0pk6ONEQNWI9ldlO1sqGIBqiNl+rXLc=\n-----END PUBLIC KEY-----\n',
  }),
  RESIDENCY_DETOKENIZE_ROLES: 'residency-detokenize',
};

/**
 * The configuration a check synthesizes a stage with: the given `RESIDENCY_*` environment (so CI
 * can check exactly what it deploys), placeholders for what a deployment must provide, then
 * explicit overrides (tests use these to build variants).
 */
export function checkStageConfig(
  stage: string,
  env: Readonly<Record<string, string | undefined>> = {},
  overrides: SynthesizeOptions['overrides'] = {},
): StageConfig {
  const set = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const base = loadStageConfig(stage, { ...CHECK_PLACEHOLDERS, ...set });
  return validateStageConfig({ ...base, ...overrides });
}

/**
 * SST opens `debug.log` lazily, asynchronously and once per process, in the project directory of
 * the first app created (its constructor logs). After that the directory can go: the open file
 * outlives it.
 */
let debugLogOpen = false;

/**
 * Synthesizes our SST stages in process, offline: no AWS credentials, no network, no bundling.
 *
 * It does what SST's own construct tests do (sst/v2 `packages/sst/test/constructs/helper.ts`):
 * set the project, create an SST `App` in deploy mode and add the stack, then synthesize with CDK
 * without calling `app.finish()`. `finish()` is the step that bundles handlers and looks up the
 * bootstrap stack in the account; before it, every SST function carries an inline placeholder, so
 * handler files need not exist. The templates are otherwise what `sst deploy` sends, less SST's
 * bookkeeping (`sst:*` tags, SSM binding parameters, the `SSTMetadata` output).
 *
 * @example const [data, control] = await synthesizeStages();
 */
export async function synthesizeStages(options: SynthesizeOptions = {}): Promise<SynthesizedStage[]> {
  process.env.SST_TELEMETRY_DISABLED = '1';
  process.env.JSII_DEPRECATED = 'quiet';
  const prefix = options.stagePrefix ?? 'check';
  const account = options.account ?? producerAccountOf(options.env) ?? '123456789012';
  const root = mkdtempSync(join(tmpdir(), 'residency-synth-'));
  const out = join(root, '.sst');
  let createdApp = false;
  try {
    return (options.planes ?? ['data', 'control']).map((plane) => {
      const stage = `${prefix}-${plane}`;
      const config = checkStageConfig(stage, options.env, options.overrides);
      const region = plane === 'data' ? config.dataRegion : config.controlRegion;
      setProject({
        version: 'offline',
        cdkVersion: 'offline',
        constructsVersion: 'offline',
        stacks: async () => {},
        // Only read while bundling, which offline synthesis never does.
        metafile: { inputs: {}, outputs: {} },
        config: { name: 'residency', stage, region, ssmPrefix: `/sst/residency/${stage}/` },
        paths: { root, out, config: join(root, 'sst.config.ts'), artifacts: join(out, 'artifacts') },
      });
      const app = new App(
        { mode: 'deploy', name: 'residency', stage, region, account },
        { outdir: join(root, `cdk.out-${stage}`) },
      );
      createdApp = true;
      provideStageConfig(app, config);
      const fn = plane === 'data' ? DataPlane : ControlPlane;
      app.stack(fn);
      const stack = getStack(fn);
      const template = app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
      return { stage, plane, stackName: stack.stackName, region, account, template };
    });
  } finally {
    if (createdApp && !debugLogOpen) debugLogOpen = await appeared(join(out, 'debug.log'));
    // Until SST's log is open, its pending open would fail (and crash) in a deleted directory.
    if (debugLogOpen || !createdApp) rmSync(root, { recursive: true, force: true });
  }
}

/** The account of the first producer role ARN, if it names one (the stack checks them all). */
function producerAccountOf(env: SynthesizeOptions['env']): string | undefined {
  return /^\s*arn:[\w-]+:iam::(\d{12}):/.exec(env?.RESIDENCY_PRODUCER_ROLES ?? '')?.[1];
}

async function appeared(file: string): Promise<boolean> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (existsSync(file)) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}
