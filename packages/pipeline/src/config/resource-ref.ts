import { assertArnInRegion, ConfigurationError } from '@residency/aws';

/** A table or stream named in the environment: a plain name, or an ARN (then checked for the region). */
export interface ResourceRef {
  name: string;
  arn?: string;
}

/**
 * Reads a table or stream setting. An ARN must be in the data region (else
 * `RegionMismatchError`, before any call is made) and gives the name after `table/` or `stream/`.
 *
 * @example resourceRef('arn:aws:dynamodb:ap-south-1:123456789012:table/residency-vault', 'ap-south-1', 'VAULT_TABLE')
 */
export function resourceRef(value: string, dataRegion: string, setting: string): ResourceRef {
  if (!value.startsWith('arn:')) return { name: value };
  const arn = assertArnInRegion(value, dataRegion, setting);
  const match = /^(?:table|stream)\/([^/]+)$/.exec(arn.resource);
  if (!match?.[1]) throw new ConfigurationError(`${setting} is an ARN but not of a table or stream`, setting);
  return { name: match[1], arn: value };
}
