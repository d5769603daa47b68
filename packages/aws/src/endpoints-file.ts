import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigurationError } from './errors.ts';

/**
 * `DIR/endpoints.json`, written by `residency up`: how every tool and test finds the local stack.
 * Its field names are a contract (other tools read them); add fields, never rename.
 */
export const EndpointsFileSchema = z.object({
  region: z.string(),
  accountId: z.string(),
  /** Process id of the `residency up` that owns the directory. */
  pid: z.number().int().optional(),
  endpoints: z.object({
    kinesis: z.string().url(),
    dynamodb: z.string().url(),
    kms: z.string().url(),
    controlPlane: z.string().url().optional(),
  }),
  /** ARN of the in-region customer managed key. */
  keyArn: z.string(),
  /** Stream names by role: `events`, `outbox`. */
  streams: z.record(z.string(), z.string()),
  /** Table names by role: `vault`, `audit`, `aggregates`, `quarantine`, `egressLog`, ... */
  tables: z.record(z.string(), z.string()),
  /** Anything else later issues add (control-plane key ids, ...). */
  extra: z.record(z.string(), z.unknown()).optional(),
});

/** See {@link EndpointsFileSchema}. */
export type EndpointsFile = z.infer<typeof EndpointsFileSchema>;

/** File name of the endpoints file inside a data directory. */
export const ENDPOINTS_FILE_NAME = 'endpoints.json';

/** Reads and validates `DIR/endpoints.json`; a clear error when the stack is not up. */
export async function readEndpointsFile(dataDir: string): Promise<EndpointsFile> {
  const path = join(dataDir, ENDPOINTS_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigurationError(
      `no local stack found: ${path} is missing (run 'pnpm residency up')`,
      'dataDir',
      {
        cause,
      },
    );
  }
  const parsed = EndpointsFileSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new ConfigurationError(
      `${path} is not a valid endpoints file: ${z.prettifyError(parsed.error)}`,
      'dataDir',
    );
  }
  return parsed.data;
}
