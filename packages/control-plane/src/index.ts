export {
  type ControlPlaneConfig,
  ControlPlaneEnvSchema,
  loadControlPlaneConfig,
} from './config/control-plane-env.ts';
export {
  DEFAULT_CONTROL_REGION,
  DEFAULT_HEADERS_TIMEOUT_MILLIS,
  DEFAULT_MAX_SKEW_MILLIS,
  DEFAULT_REQUEST_TIMEOUT_MILLIS,
} from './config/defaults.ts';
export {
  type ControlPlaneDescriptor,
  ControlPlaneDescriptorSchema,
  readControlPlaneDescriptor,
} from './config/descriptor.ts';
export { DASHBOARD_CHARTS, dashboardHtml } from './dashboard/page.ts';
export { ControlPlaneConfigurationError, ControlPlaneStoreError } from './errors.ts';
export { type ExportSummary, exportToJsonl } from './export/export-jsonl.ts';
export { functionUrlHandler } from './http/function-url-adapter.ts';
export { type HttpHandler, type HttpRequest, type HttpResponse, json } from './http/http-types.ts';
export { MAX_REQUEST_BYTES, type NodeListener, nodeListener } from './http/node-adapter.ts';
export { createRouter, type RouterOptions } from './http/router.ts';
export {
  type ControlPlaneServerOptions,
  type RunningControlPlane,
  startControlPlaneServer,
} from './http/start-server.ts';
export { type ControlPlaneLogger, raiseAlert, silentControlPlaneLogger } from './ingest/alerts.ts';
export {
  type ControlPlane,
  type ControlPlaneOptions,
  createControlPlane,
  DEFAULT_BATCH_LEASE_MILLIS,
  DEFAULT_MAX_INGEST_BYTES,
  type IngestResult,
} from './ingest/create-control-plane.ts';
export { controlPlanePlugin } from './local/control-plane-plugin.ts';
export { ensureControlPlaneTables } from './local/ensure-tables.ts';
export { handleQuery, type SeriesPoint } from './query/query-api.ts';
export {
  type AggregateQuery,
  type AggregateSeries,
  type Alert,
  type BatchClaim,
  type ControlPlaneStore,
  type CountBy,
  type CountRow,
  type ExportRow,
  MAX_SERIES_CELLS,
  type StoredBatch,
  type StoreResult,
} from './store/control-plane-store.ts';
export { createDynamoControlPlaneStore, type DynamoControlPlaneStoreOptions } from './store/dynamo-store.ts';
export {
  type ControlPlaneTables,
  ControlPlaneTablesSchema,
  DEFAULT_CONTROL_PLANE_TABLES,
} from './store/tables.ts';
