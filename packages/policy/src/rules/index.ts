import type { Rule } from '../types.ts';
import { controlPlaneIsolation } from './control-plane-isolation.ts';
import { customerKeyEncryption } from './customer-key-encryption.ts';
import { dataRegion } from './data-region.ts';
import { egressForwarderOnly } from './egress-forwarder-only.ts';
import { eventSourceBounds } from './event-source-bounds.ts';
import { keyPolicy } from './key-policy.ts';
import { keyRotation } from './key-rotation.ts';
import { logRetention } from './log-retention.ts';
import { nestedStacksChecked } from './nested-stacks-checked.ts';
import { noCrossRegionDestinations } from './no-cross-region-destinations.ts';
import { noExternalAccess } from './no-external-access.ts';
import { noGlobalTables } from './no-global-tables.ts';
import { noReplication } from './no-replication.ts';
import { singleRegionKeys } from './single-region-keys.ts';
import { unknownResourceType } from './unknown-resource-type.ts';
import { unreadableTemplateParts } from './unreadable-template-parts.ts';

/** Every residency rule, in id order. */
export const rules: readonly Rule[] = [
  dataRegion,
  noGlobalTables,
  singleRegionKeys,
  noReplication,
  noCrossRegionDestinations,
  keyRotation,
  customerKeyEncryption,
  eventSourceBounds,
  logRetention,
  keyPolicy,
  noExternalAccess,
  controlPlaneIsolation,
  egressForwarderOnly,
  unknownResourceType,
  unreadableTemplateParts,
  nestedStacksChecked,
];
