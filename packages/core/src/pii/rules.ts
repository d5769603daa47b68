/** Identifies the rule that fired. Stable: quarantine entries and metrics carry it. */
export type PiiRuleId =
  | 'email'
  | 'phone'
  | 'aadhaar'
  | 'bd-nid'
  | 'pan'
  | 'voter-id'
  | 'passport'
  | 'card'
  | 'ipv4'
  | 'ipv6'
  | 'unscannable';

/** A scanner rule: its id and why it exists (for quarantine reports and docs). */
export interface PiiRule {
  id: PiiRuleId;
  rationale: string;
}

/**
 * Every rule the scanner applies, with a one-line rationale. `unscannable` is not a pattern: it
 * reports a part of a record the scanner could not walk (a cycle, or nesting deeper than
 * `maxDepth`), so that what cannot be checked is blocked rather than sent.
 */
export const PII_RULES: readonly PiiRule[] = [
  { id: 'email', rationale: 'an email address names its owner; also found as "name [at] example [dot] com"' },
  {
    id: 'phone',
    rationale: 'phone numbers in international format, and Bangladeshi and Indian ones in local formats',
  },
  { id: 'aadhaar', rationale: 'Indian national id: 12 digits, first 2-9, valid Verhoeff check digit' },
  { id: 'bd-nid', rationale: 'Bangladesh national id: 10 digits, or 13/17 with a district and area code' },
  { id: 'pan', rationale: 'Indian tax id: 5 letters (4th the holder type), 4 digits, 1 letter' },
  { id: 'voter-id', rationale: 'Indian voter id (EPIC): 3 letters, 7 digits, in upper case' },
  {
    id: 'passport',
    rationale:
      'Indian and Bangladeshi passport numbers: 1 or 2 letters and 7 digits, or 1 letter and 8, in upper case',
  },
  { id: 'card', rationale: 'payment card number: 13-19 digits passing Luhn' },
  { id: 'ipv4', rationale: 'an IPv4 address identifies a subscriber at a point in time' },
  { id: 'ipv6', rationale: 'an IPv6 address identifies a subscriber, often a device' },
  {
    id: 'unscannable',
    rationale: 'part of the record could not be scanned (cycle or too deep): fail closed',
  },
];

/** One rule that fired, and where. Never contains the value or any part of it. */
export interface PiiFinding {
  rule: PiiRuleId;
  /**
   * JSON path of the value (or key) that fired, e.g. `$.attributes.department`. Object keys that
   * are not plain identifiers, or that fired themselves, appear by position (`$.attributes[key#2]`)
   * so that a path can never carry personal data.
   */
  path: string;
}
