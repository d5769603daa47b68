import { RemovalPolicy } from 'aws-cdk-lib';
import type { App } from 'sst/constructs/App.js';
import { loadStageConfig, type Plane, type StageConfig, StageConfigError } from './config.ts';

const provided = new WeakMap<App, StageConfig>();

/**
 * Gives an app its stage configuration explicitly (offline synthesis and tests do this);
 * `useStageConfig` falls back to the environment when nothing was provided.
 */
export function provideStageConfig(app: App, config: StageConfig): void {
  provided.set(app, config);
}

/**
 * The configuration of the stage an app deploys, after checking that the app's region is the one
 * configured for its plane (SST takes `--region` from the command line, and a data stage deployed
 * anywhere but the data region must fail before CloudFormation sees it) and that a data stage is
 * not run under `sst dev`.
 */
export function useStageConfig(app: App, plane: Plane): StageConfig {
  const config = provided.get(app) ?? loadStageConfig(app.stage, process.env);
  provided.set(app, config);
  if (config.plane !== plane) {
    throw new StageConfigError(
      `stage ${app.stage} is a ${config.plane} stage, not ${plane}`,
      'RESIDENCY_PLANE',
    );
  }
  if (plane === 'data' && app.mode === 'dev') {
    // Live Lambda development proxies every invocation, payload included, to the developer's machine.
    throw new StageConfigError(
      `stage ${app.stage}: sst dev would send data-plane events out of the region`,
      'RESIDENCY_PLANE',
    );
  }
  const expected = plane === 'data' ? config.dataRegion : config.controlRegion;
  if (app.region !== expected) {
    const variable = plane === 'data' ? 'RESIDENCY_DATA_REGION' : 'RESIDENCY_CONTROL_REGION';
    throw new StageConfigError(`stage ${app.stage} targets ${app.region}, configured ${expected}`, variable);
  }
  return config;
}

/** The removal policy for stateful resources (keys, tables, log groups) of a stage. */
export function removalPolicy(config: StageConfig): RemovalPolicy {
  return config.removal === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
