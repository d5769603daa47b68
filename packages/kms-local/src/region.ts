import { KmsApiError } from './errors.ts';

// Commercial, GovCloud, China and ISO partitions all follow this shape: ap-south-1, us-gov-west-1,
// cn-north-1. https://docs.aws.amazon.com/general/latest/gr/rande.html
const REGION_PATTERN = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/** True if `region` is shaped like an AWS region name (for example `ap-south-1`). */
export function isAwsRegion(region: string): boolean {
  return REGION_PATTERN.test(region);
}

/** The SigV4 credential scope: `AKID/DATE/REGION/SERVICE/aws4_request`. */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

/**
 * Reads the credential scope from a SigV4 `Authorization` header and refuses, the way AWS KMS
 * does, a request without one or one scoped to another region or service.
 *
 * The signature itself is not verified: this endpoint is local only and holds no secrets of
 * its callers, so any access key works. What is checked is what a residency tool must not get
 * wrong: a client configured for another region is refused, as AWS refuses it
 * (`InvalidSignatureException: Credential should be scoped to a valid region`).
 *
 * @example checkCredentialScope(req.headers.authorization, 'ap-south-1')
 */
export function checkCredentialScope(authorization: string | undefined, region: string): CredentialScope {
  if (!authorization) {
    throw new KmsApiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  }
  const match = /Credential=([^,\s]+)/.exec(authorization);
  if (!authorization.startsWith('AWS4-HMAC-SHA256 ') || !match?.[1]) {
    throw new KmsApiError(
      'IncompleteSignatureException',
      `Authorization header requires 'Credential' parameter. Authorization=${authorization.split(' ')[0]}`,
    );
  }
  const parts = match[1].split('/');
  if (parts.length !== 5) {
    throw new KmsApiError(
      'IncompleteSignatureException',
      'Credential must have exactly 5 slash-delimited elements',
    );
  }
  const [accessKeyId = '', date = '', scopeRegion = '', service = '', terminator = ''] = parts;
  if (scopeRegion !== region) {
    throw new KmsApiError(
      'InvalidSignatureException',
      `Credential should be scoped to a valid region, not '${scopeRegion}'. `,
    );
  }
  if (service !== 'kms') {
    throw new KmsApiError(
      'InvalidSignatureException',
      "Credential should be scoped to correct service: 'kms'. ",
    );
  }
  if (terminator !== 'aws4_request') {
    throw new KmsApiError(
      'InvalidSignatureException',
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
    );
  }
  return { accessKeyId, date, region: scopeRegion, service, terminator };
}
