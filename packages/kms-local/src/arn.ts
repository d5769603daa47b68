/**
 * The ARN partition a region belongs to: `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/**
 * Builds the full key ARN, the form KMS returns as `KeyId` in cryptographic responses.
 *
 * @example keyArn('ap-south-1', '000000000000', id) // 'arn:aws:kms:ap-south-1:000000000000:key/<id>'
 */
export function keyArn(region: string, accountId: string, keyId: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:${accountId}:key/${keyId}`;
}

/** Builds an alias ARN from an alias name such as `alias/vault`. */
export function aliasArn(region: string, accountId: string, aliasName: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:${accountId}:${aliasName}`;
}

/** A key identifier as callers may spell it, classified. */
export type KeyIdentifier =
  | { kind: 'keyId'; keyId: string }
  | { kind: 'alias'; aliasName: string }
  | { kind: 'foreign'; region: string; accountId: string }
  | { kind: 'invalid' };

/**
 * Classifies a `KeyId` request value: key id, key ARN, alias name or alias ARN. ARNs naming
 * another region, account or partition come back as `foreign`.
 * https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
 */
export function parseKeyIdentifier(value: string, region: string, accountId: string): KeyIdentifier {
  if (value.startsWith('alias/')) return { kind: 'alias', aliasName: value };
  if (!value.startsWith('arn:')) return { kind: 'keyId', keyId: value };
  const parts = value.split(':');
  if (parts.length !== 6 || parts[2] !== 'kms') return { kind: 'invalid' };
  const [, partition = '', , arnRegion = '', arnAccount = '', resource = ''] = parts;
  if (partition !== partitionOf(region) || arnRegion !== region || arnAccount !== accountId) {
    return { kind: 'foreign', region: arnRegion, accountId: arnAccount };
  }
  if (resource.startsWith('key/')) return { kind: 'keyId', keyId: resource.slice('key/'.length) };
  if (resource.startsWith('alias/')) return { kind: 'alias', aliasName: resource };
  return { kind: 'invalid' };
}
