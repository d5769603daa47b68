import { createHmac } from 'node:crypto';
import { canaryTag, decimalDigits } from './codes.ts';

/** A synthetic person whose identifiers carry a keyed tag (see `createCanaryDetector`). */
export interface CanaryIdentity {
  patientId: string;
  /** E.164 Bangladeshi mobile number. */
  phone: string;
  email: string;
  /** 17-digit Bangladesh NID (birth year first). */
  nationalId: string;
  /** Realistic but not recognisable on its own: names are too few to carry a tag. */
  name: string;
  dateOfBirth: string;
  gender: 'female' | 'male';
}

const FEMALE = ['Ayesha', 'Fatema', 'Nusrat', 'Tahmina', 'Sharmin', 'Rumana', 'Priya', 'Moumita'];
const MALE = ['Rahim', 'Karim', 'Tanvir', 'Arif', 'Sabbir', 'Imran', 'Sourav', 'Arnab'];
const FAMILY = ['Uddin', 'Rahman', 'Hossain', 'Akter', 'Islam', 'Chowdhury', 'Das', 'Banerjee'];
const DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com'];

/**
 * The canary identity number `counter` under `secret`: every value is derived from
 * HMAC-SHA256(secret, counter), and each identifier ends in a tag over its own nonce.
 *
 * @example canaryIdentity(secret, 7n).phone // '+8801…' (same secret and counter, same identity)
 */
export function canaryIdentity(secret: Uint8Array, counter: bigint): CanaryIdentity {
  const seed = createHmac('sha256', secret).update(`residency-canary:v1:seed:${counter}`).digest();
  const pick = <T>(list: readonly T[], byte: number): T => list[(seed[byte] ?? 0) % list.length] as T;
  const gender = (seed[0] ?? 0) % 2 === 0 ? 'female' : 'male';
  const first = pick(gender === 'female' ? FEMALE : MALE, 1);
  const family = pick(FAMILY, 2);
  const patientNonce = decimalDigits(seed, 3, 6);
  const phoneNonce = `${3 + ((seed[11] ?? 0) % 7)}${decimalDigits(seed, 12, 3)}`;
  const emailNonce = decimalDigits(seed, 20, 4);
  const year = 1950 + ((seed[28] ?? 0) % 56);
  const nidNonce = `${year}${decimalDigits(seed, 24, 3)}`;
  const month = String(1 + ((seed[29] ?? 0) % 12)).padStart(2, '0');
  const day = String(1 + ((seed[30] ?? 0) % 28)).padStart(2, '0');
  return {
    patientId: `P-${patientNonce}${canaryTag(secret, 'patientId', patientNonce)}`,
    phone: `+8801${phoneNonce}${canaryTag(secret, 'phone', phoneNonce)}`,
    email: `${first.toLowerCase()}.${family.toLowerCase()}${emailNonce}${canaryTag(secret, 'email', emailNonce)}@${pick(DOMAINS, 31)}`,
    nationalId: `${nidNonce}${canaryTag(secret, 'nationalId', nidNonce)}`,
    name: `${first} ${family}`,
    dateOfBirth: `${year}-${month}-${day}`,
    gender,
  };
}
