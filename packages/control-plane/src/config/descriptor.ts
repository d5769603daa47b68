import type { EndpointsFile } from '@residency/aws';
import { z } from 'zod';
import { ControlPlaneConfigurationError } from '../errors.ts';
import { ControlPlaneTablesSchema } from '../store/tables.ts';

/**
 * How tools find a local control plane: its URL, its region, its own DynamoDB endpoint and its
 * table names. `residency up` writes it to `endpoints.json` under `extra.controlPlane` (and the
 * URL to `endpoints.controlPlane`); `residency export` reads it.
 */
export const ControlPlaneDescriptorSchema = z.object({
  url: z.string().url(),
  region: z.string(),
  dynamodb: z.string().url(),
  tables: ControlPlaneTablesSchema,
});

/** See {@link ControlPlaneDescriptorSchema}. */
export type ControlPlaneDescriptor = z.infer<typeof ControlPlaneDescriptorSchema>;

/** Reads the control plane's descriptor from an endpoints file; a clear error when it is missing. */
export function readControlPlaneDescriptor(file: EndpointsFile): ControlPlaneDescriptor {
  const raw = file.extra?.controlPlane;
  const parsed = ControlPlaneDescriptorSchema.safeParse(
    raw && typeof raw === 'object' ? { url: file.endpoints.controlPlane, ...raw } : raw,
  );
  if (!parsed.success) {
    throw new ControlPlaneConfigurationError(
      `endpoints.json has no usable extra.controlPlane (${z.prettifyError(parsed.error)}); is the control plane running?`,
      'extra.controlPlane',
    );
  }
  return parsed.data;
}
