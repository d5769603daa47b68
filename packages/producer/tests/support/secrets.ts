import { randomBytes } from 'node:crypto';

/** A fresh 256-bit partition key secret, as a test would load from SSM. */
export const newSecret = (): Buffer => randomBytes(32);
