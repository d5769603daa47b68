import { checkControlPlaneOrigin } from '@residency/policy/origin';
import { z } from 'zod';

const flag = z
  .enum(['0', '1', 'true', 'false'])
  .optional()
  .transform((value) => value === '1' || value === 'true');

/**
 * The forwarder Lambda's environment. `SIGNING_KEY_PARAMETER` (an SSM SecureString holding the
 * Ed25519 private key PEM) on AWS; `SIGNING_KEY_FILE` only in local mode. `*_ARN` settings are
 * optional and, when set, must name the data region like `KEY_ARN`. `DYNAMODB_ENDPOINT` (and the
 * SDK's `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SSM`, `AWS_ENDPOINT_URL`) must be loopback or
 * an AWS endpoint of the data region; `createForwarderFromEnv` checks them.
 */
export const ForwarderEnvSchema = z
  .object({
    DATA_REGION: z.string().min(1),
    AWS_REGION: z.string().min(1).optional(),
    KEY_ARN: z.string().startsWith('arn:'),
    OUTBOX_STREAM_NAME: z.string().min(1),
    OUTBOX_STREAM_ARN: z.string().startsWith('arn:').optional(),
    QUARANTINE_TABLE: z.string().min(3),
    QUARANTINE_TABLE_ARN: z.string().startsWith('arn:').optional(),
    EGRESS_LOG_TABLE: z.string().min(3),
    EGRESS_LOG_TABLE_ARN: z.string().startsWith('arn:').optional(),
    /** The one origin the forwarder may send to; see `checkControlPlaneOrigin` for the rule. */
    CONTROL_PLANE_ORIGIN: z.string().min(1),
    SIGNING_KEY_PARAMETER: z.string().min(1).optional(),
    SIGNING_KEY_FILE: z.string().min(1).optional(),
    SIGNING_KEY_ID: z.string().min(1).max(64).optional(),
    /**
     * Local mode: plain http to a loopback origin, `SIGNING_KEY_FILE`, no `AWS_REGION`. Refused in
     * a Lambda function unless `RESIDENCY_ALLOW_LOOPBACK_IN_LAMBDA=true` (`assertLocalModeAllowed`).
     * Default: off.
     */
    RESIDENCY_LOCAL_MODE: flag,
    /** The quarantine's and egress log's DynamoDB endpoint; wins over `AWS_ENDPOINT_URL_DYNAMODB`. Default: the regional one. */
    DYNAMODB_ENDPOINT: z.string().url().optional(),
    // Decimal digits only: `z.coerce` would read `0x10`, `1e3` and ` 60 `.
    SEND_BUDGET_MILLIS: z
      .string()
      .regex(/^\d{1,9}$/)
      .transform(Number)
      .pipe(z.number().int().positive())
      .optional(),
  })
  .refine((env) => env.SIGNING_KEY_PARAMETER || (env.RESIDENCY_LOCAL_MODE && env.SIGNING_KEY_FILE), {
    message: 'set SIGNING_KEY_PARAMETER (or SIGNING_KEY_FILE in local mode)',
    path: ['SIGNING_KEY_PARAMETER'],
  })
  .superRefine((env, ctx) => {
    const verdict = checkControlPlaneOrigin(env.CONTROL_PLANE_ORIGIN, {
      localMode: env.RESIDENCY_LOCAL_MODE,
      dataRegion: env.DATA_REGION,
    });
    if (!verdict.ok)
      ctx.addIssue({
        code: 'custom',
        message: `control-plane origin ${verdict.problem}`,
        path: ['CONTROL_PLANE_ORIGIN'],
      });
  });

/** See {@link ForwarderEnvSchema}. */
export type ForwarderEnv = z.infer<typeof ForwarderEnvSchema>;
