import type { SSTConfig } from 'sst';
import { ControlPlane } from './stacks/ControlPlane.ts';
import { DataPlane } from './stacks/DataPlane.ts';
import { loadRegions, planeOf } from './stacks/lib/config.ts';

// A residency tool must not phone home. SST loads this file before it records any command, and
// checks this variable each time it would send telemetry.
process.env.SST_TELEMETRY_DISABLED = '1';

/**
 * One app, two kinds of stage: `<name>-data` deploys the data plane to the data region and
 * `<name>-control` the control plane to the control region (SST v2 deploys one region per app).
 * All settings come from `RESIDENCY_*` variables; see docs/deploy.md.
 */
export default {
  config(input) {
    const plane = planeOf(input.stage, process.env);
    const { dataRegion, controlRegion } = loadRegions(process.env);
    return { name: 'residency', region: plane === 'data' ? dataRegion : controlRegion };
  },
  stacks(app) {
    // useStageConfig (inside each stack) refuses a region other than the configured one.
    app.stack(planeOf(app.stage, process.env) === 'data' ? DataPlane : ControlPlane);
  },
} satisfies SSTConfig;
