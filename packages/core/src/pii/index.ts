/**
 * The PII scanner: the border's last line of defence. Every string, object key and integer of an
 * outgoing record is checked for emails, phone numbers, Aadhaar and BD NID numbers, PANs, card
 * numbers and IP addresses; a finding names the rule and the JSON path, never the value.
 */
export { luhnValid, verhoeffCheckDigit, verhoeffValid } from './checksums.ts';
export { PII_RULES, type PiiFinding, type PiiRule, type PiiRuleId } from './rules.ts';
export { type ScanRecordOptions, scanRecord } from './scan-record.ts';
export { scanValue } from './scan-value.ts';
