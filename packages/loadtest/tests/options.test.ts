import { describe, expect, it } from 'vitest';
import { LoadtestError } from '../src/errors.ts';
import { resolveOptions } from '../src/runner/options.ts';

describe('load-test options', () => {
  it('defaults the recent event ids to the pipeline default and refuses what the ingest would refuse', () => {
    expect(resolveOptions({}).recentEvents).toBe(2000);
    expect(resolveOptions({ recentEvents: 100 }).recentEvents).toBe(100);
    for (const recentEvents of [99, 5001, 1.5]) {
      expect(() => resolveOptions({ recentEvents }), String(recentEvents)).toThrow(LoadtestError);
      expect(() => resolveOptions({ recentEvents }), String(recentEvents)).toThrow(/--recent-events/);
    }
  });
});
