// test/ is not a workspace package, so bare `@residency/*` specifiers do not resolve from here.
// Every package is imported from its source through this one file (their own dependencies then
// resolve from each package's node_modules); switch to bare specifiers here once the root
// package.json lists the workspace packages.
export * as aws from '../../../packages/aws/src/index.ts';
export * as border from '../../../packages/border/src/index.ts';
export * as borderLocal from '../../../packages/border/src/local/index.ts';
export * as controlPlane from '../../../packages/control-plane/src/index.ts';
export * as aggregates from '../../../packages/core/src/aggregates/index.ts';
export * as core from '../../../packages/core/src/index.ts';
export * as local from '../../../packages/local/src/index.ts';
// The Lambda entry points' telemetry (Powertools Logger and EMF Metrics), as deployed.
export { createFunctionTelemetry } from '../../../packages/pipeline/src/handlers/lambda-runtime.ts';
export * as pipeline from '../../../packages/pipeline/src/index.ts';
export * as producer from '../../../packages/producer/src/index.ts';
export * as testing from '../../../packages/testing/src/index.ts';
export * as vault from '../../../packages/vault/src/index.ts';
