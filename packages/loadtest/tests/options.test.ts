import { describe, expect, it } from 'vitest';
import { LoadtestError } from '../src/errors.ts';
import { resolveOptions } from '../src/runner/options.ts';

describe('load-test options', () => {
  it('defaults the recent event ids to the pipeline default and refuses what the ingest would refuse', () => {
    expect(resolveOptions({}).recentEvents).toBe(20_000);
    expect(resolveOptions({ recentEvents: 1_000 }).recentEvents).toBe(1_000);
    for (const recentEvents of [999, 200_001, 1500.5]) {
      expect(() => resolveOptions({ recentEvents }), String(recentEvents)).toThrow(LoadtestError);
      expect(() => resolveOptions({ recentEvents }), String(recentEvents)).toThrow(/--recent-events/);
    }
  });
});
