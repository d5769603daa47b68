export {
  aadhaar,
  appId,
  bdNid,
  bdPhone,
  clinicbookEvent,
  dateOfBirth,
  email,
  freeText,
  inPhone,
  isoDateTime,
} from './arbitraries.ts';
export {
  type CannedResponse,
  requestKeyOf,
  serverErrorResponse,
  throttlingResponse,
} from './faults/aws-wire.ts';
export { type Bounceable, bounceable, type Launched } from './faults/bounceable.ts';
export { putCanaryItem } from './faults/canary.ts';
export { type ChildComponent, type ChildProcessOptions, startChildProcess } from './faults/child-process.ts';
export { documentClientFor, scanItems } from './faults/document-client.ts';
export {
  type BounceableEmulator,
  type BounceableEmulatorOptions,
  type EmulatedService,
  startBounceableEmulator,
} from './faults/emulators.ts';
export { ComponentStartError, FaultPlanError } from './faults/errors.ts';
export { type FaultProxy, type FaultProxyOptions, startFaultProxy } from './faults/fault-proxy.ts';
export {
  type BounceablePlugin,
  type FaultyLocalStack,
  type FaultyLocalStackOptions,
  startFaultyLocalStack,
} from './faults/faulty-stack.ts';
export {
  type Haystack,
  haystacksOf,
  type Leak,
  type LeakEncoding,
  type ScanForLeaksOptions,
  type SecretValue,
  scanForLeaks,
} from './faults/leak-scan.ts';
export {
  type LocalStackProcess,
  type LocalStackProcessOptions,
  startLocalStackProcess,
} from './faults/local-stack-process.ts';
export {
  type BounceableMapping,
  type BounceableMappingOptions,
  createBounceableMapping,
} from './faults/mapping-bouncer.ts';
export { type PartialRewrite, rewritePartial } from './faults/partial-batch.ts';
export {
  createFaultSchedule,
  FAULT_KINDS,
  type Fault,
  type FaultKind,
  type FaultPlan,
  type FaultRule,
  type FaultSchedule,
  type MixedFaultsOptions,
  mixedFaults,
  NO_FAULTS,
  PARTIAL_OPERATIONS,
  type RequestKey,
} from './faults/plan.ts';
export { type PutReport, putAll } from './faults/put-all.ts';
export { type SeededRandom, seededRandom } from './faults/random.ts';
export { injectSdkFaults, type MiddlewareClient, type SdkFaultInjector } from './faults/sdk-faults.ts';
export {
  captureOutput,
  listStreamNames,
  listTableNames,
  type OutputCapture,
  readFilesUnder,
  readStreamRecords,
  type StreamRecord,
  scanTable,
} from './faults/stack-readers.ts';
export { countRequest, emptyStats, type FaultStats, injectedTotal } from './faults/stats.ts';
export { leafValues } from './leaves.ts';
