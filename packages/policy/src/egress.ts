import { prop } from './intrinsics.ts';
import { resourcesOfType } from './stage.ts';
import type { StageView } from './types.ts';

/**
 * The environment variable that holds the forwarder's allowlisted control-plane origin. A function
 * that has it is the forwarder; no other data-plane function may hold a destination.
 */
export const ORIGIN_VARIABLE = 'CONTROL_PLANE_ORIGIN';

/** Logical ids of the functions that hold an egress allowlist. */
export function forwarders(stage: StageView): readonly string[] {
  return resourcesOfType(stage, 'AWS::Lambda::Function')
    .filter(([, fn]) => prop(fn.Properties, 'Environment', 'Variables', ORIGIN_VARIABLE) !== undefined)
    .map(([id]) => id);
}

/** Whether a property path of a resource is the forwarder's allowlist (legitimately out of region). */
export function isAllowlistPath(stage: StageView, logicalId: string, path: string): boolean {
  return path === `Environment.Variables.${ORIGIN_VARIABLE}` && forwarders(stage).includes(logicalId);
}
