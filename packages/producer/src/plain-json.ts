import { types } from 'node:util';

/** Nesting depth past which a value is not treated as plain (cycles end up here too). */
const MAX_PLAIN_DEPTH = 64;

/**
 * Whether `JSON.stringify(value)` can only write the values a reader of `value` saw: every part
 * is a string, a finite number, a boolean, null, or a plain array or object (no Proxy, no
 * getter, no `toJSON`, own and inherited, no class instance, no hole) nested at most 64 deep.
 * Anything else runs caller code or changes shape when serialized (a getter or a Proxy may answer
 * validation with one value and serialization with another; a `toJSON` may write fields nobody
 * validated; a Date, Map or BigInt is not what is written), so the producer validates exactly
 * what it serializes for such a value instead (see prepare.ts).
 *
 * @example isPlainJson({ a: [1, 'x', null] }) // true; isPlainJson({ at: new Date() }) // false
 */
export function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false; // undefined (dropped or turned into null), bigint, symbol, function
  }
  if (value === null) return true;
  if (depth >= MAX_PLAIN_DEPTH || types.isProxy(value) || 'toJSON' in value) return false;
  const prototype = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (prototype !== Array.prototype) return false;
    for (let i = 0; i < value.length; i++) {
      const descriptor = Object.getOwnPropertyDescriptor(value, i);
      if (!descriptor || !('value' in descriptor) || !isPlainJson(descriptor.value, depth + 1)) return false;
    }
    return true;
  }
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key of Object.keys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    // An undefined property is left out by JSON, and by the ingest's reading of it: the same.
    if (!descriptor || !('value' in descriptor)) return false;
    if (descriptor.value !== undefined && !isPlainJson(descriptor.value, depth + 1)) return false;
  }
  return true;
}
