/**
 * Lambda handler entry points, relative to the repository root (SST bundles them on deploy;
 * offline synthesis never reads them). Each module exports `handler`.
 */
export const handlers = {
  ingest: 'packages/pipeline/src/handlers/ingest.handler',
  windowCloser: 'packages/pipeline/src/handlers/window-closer.handler',
  forwarder: 'packages/border/src/handlers/forwarder.handler',
  vaultAdmin: 'packages/vault/src/handlers/vault-admin.handler',
  controlIngest: 'packages/control-plane/src/handlers/ingest.handler',
  query: 'packages/control-plane/src/handlers/query.handler',
} as const;
