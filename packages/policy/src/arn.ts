/**
 * ARNs and region names inside rendered strings (see `render` in intrinsics.ts).
 */

/** An ARN split into its fields; fields may hold `#{...}` placeholders. */
export interface Arn {
  readonly text: string;
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

const ARN = /arn:([^:\s"]*):([^:\s"]*):([^:\s"]*):([^:\s"]*):([^\s"]*)/g;

/**
 * Every ARN in a string.
 *
 * @example arnsIn('arn:#{AWS.Partition}:sqs:eu-west-1:111122223333:q')[0]?.region // 'eu-west-1'
 */
export function arnsIn(text: string): readonly Arn[] {
  return [...text.matchAll(ARN)].map((match) => ({
    text: match[0],
    partition: match[1] ?? '',
    service: match[2] ?? '',
    region: match[3] ?? '',
    account: match[4] ?? '',
    resource: match[5] ?? '',
  }));
}

/** The ARN a string is, if it is exactly one. */
export function parseArn(text: string): Arn | undefined {
  const [arn] = arnsIn(text);
  return arn !== undefined && arn.text === text ? arn : undefined;
}

/**
 * Region names of every partition: commercial, China, GovCloud and the isolated ones (`ap-south-1`,
 * `us-gov-west-1`, `eu-isoe-west-1`, `us-isof-south-1`), and the European Sovereign Cloud, whose
 * names carry a country (`eusc-de-east-1`).
 * See https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
 */
const REGION_NAME =
  /\b(?:(?:af|ap|ca|cn|eu|il|me|mx|sa|us)-(?:gov-|iso-|isob-|isoe-|isof-)?|eusc-[a-z]{2}-)(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d\b/g;

/** Every region name mentioned in a string. */
export function regionNamesIn(text: string): readonly string[] {
  return [...text.matchAll(REGION_NAME)].map((match) => match[0]);
}

/** Where an ARN's region field points, relative to the data region. */
export type RegionPlace = 'global' | 'stage' | 'data' | 'other' | 'wildcard' | 'unknown';

/**
 * Classifies an ARN's region field: empty (a global ARN such as IAM or S3), the stage's own region
 * (`#{AWS.Region}`), the data region, another region, a wildcard, or something unresolvable.
 */
export function regionPlace(arn: Arn, dataRegion: string): RegionPlace {
  const { region } = arn;
  if (region === '') return 'global';
  if (region === '#{AWS.Region}') return 'stage';
  if (region === dataRegion) return 'data';
  if (region.includes('*')) return 'wildcard';
  if (region.includes('#{')) return 'unknown';
  return 'other';
}

/**
 * Whose an ARN's account field is, relative to the stage's account. `unverified` is a literal
 * account id when the stage's account is not known: it counts as outside until told otherwise.
 */
export type AccountPlace = 'none' | 'own' | 'aws' | 'other' | 'unverified' | 'wildcard' | 'unknown';

/** Classifies an account field (`#{AWS.AccountId}` and the home account are `own`). */
export function accountPlace(account: string, home: string | undefined): AccountPlace {
  if (account === '') return 'none';
  if (account === '#{AWS.AccountId}' || account === home) return 'own';
  if (account === 'aws') return 'aws';
  if (account.includes('*')) return 'wildcard';
  if (account.includes('#{')) return 'unknown';
  return home === undefined ? 'unverified' : 'other';
}

/** How to describe an account that is not the stage's own, for messages. */
export function outsideAccount(place: AccountPlace, account: string): string {
  return place === 'unverified'
    ? `in account ${account}, which cannot be verified as the stage's (pass the stage account, --account)`
    : `outside this account (${account})`;
}
