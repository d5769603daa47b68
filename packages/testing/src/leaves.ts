/** Every leaf value (strings, numbers, booleans) and every key of a JSON-like value, for "nothing leaks" assertions. */
export function leafValues(value: unknown): { leaves: unknown[]; keys: string[] } {
  const leaves: unknown[] = [];
  const keys: string[] = [];
  const walk = (v: unknown) => {
    if (v === null || typeof v !== 'object') {
      leaves.push(v);
      return;
    }
    if (Array.isArray(v)) {
      for (const item of v) walk(item);
      return;
    }
    for (const [k, item] of Object.entries(v)) {
      keys.push(k);
      walk(item);
    }
  };
  walk(value);
  return { leaves, keys };
}
