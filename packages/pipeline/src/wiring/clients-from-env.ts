import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsClients, createAwsClients, type RuntimeEnv } from '@residency/aws';
import { resolveAwsTarget } from '../config/aws-target.ts';
import type { BaseConfig } from '../config/env.ts';
import { verifyResidency } from '../config/verify-residency.ts';
import { assertNoLocalModeInLambda, assertResourceSettings } from './deployment-checks.ts';

/** Clients of a function whose residency has been verified. */
export interface VerifiedClients {
  clients: AwsClients;
  documentClient: DynamoDBDocumentClient;
}

/**
 * Creates the AWS clients for a configuration and verifies, against the live resources, that
 * every table, stream and the key are in the data region. First, before any client exists: every
 * table and stream setting is a name or ARN of its kind, and a Lambda function (told by
 * `runtimeEnv`, the environment the function was given) runs without local mode. On any failure
 * the clients are destroyed and the error is thrown: the function does no work.
 */
export async function verifiedClientsFor(
  config: BaseConfig,
  runtimeEnv: RuntimeEnv = process.env,
): Promise<VerifiedClients> {
  assertResourceSettings(config);
  assertNoLocalModeInLambda(config, runtimeEnv);
  const clients = createAwsClients(await resolveAwsTarget(config), { runtimeEnv });
  try {
    await verifyResidency(config, clients);
  } catch (error) {
    clients.destroy();
    throw error;
  }
  const documentClient = DynamoDBDocumentClient.from(clients.dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { clients, documentClient };
}

/** The name of a table or stream the configuration must have (schemas already required it). */
export function nameOf(refs: BaseConfig['tables'], setting: string): string {
  const ref = refs[setting];
  if (!ref) throw new Error(`${setting} is not configured`);
  return ref.name;
}
