import { describe, expect, it } from 'vitest';
import { allowedOrigin, BorderConfigurationError } from '../../src/index.ts';

describe('allowedOrigin', () => {
  it.each([
    'https://svc:hunter2-SECRET@cp.example.com',
    'https://svc@cp.example.com',
    'http://svc:hunter2-SECRET@127.0.0.1:4010',
    'https://svc:hunter2-SECRET@cp.example.com/ingest?token=hunter2',
    'svc:hunter2-SECRET@cp.example.com',
    'not a url hunter2-SECRET',
  ])('refuses %s without printing its secret', (origin) => {
    let error: unknown;
    try {
      allowedOrigin(origin, true);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BorderConfigurationError);
    expect((error as Error).message).not.toMatch(/hunter2|SECRET/);
  });

  it('still names the origin it refuses, without credentials, and what to write', () => {
    expect(() => allowedOrigin('http://cp.example.com', false)).toThrow(
      'control-plane origin "http://cp.example.com" uses plain http, allowed only to loopback in local mode; write "https://cp.example.com"',
    );
    expect(() => allowedOrigin('https://u:p@cp.example.com', false)).toThrow(
      'control-plane origin "https://***@cp.example.com" carries credentials; write "https://cp.example.com"',
    );
    expect(() => allowedOrigin('https://cp.example.com/hooks/x', false)).toThrow(
      'control-plane origin "https://cp.example.com" is followed by a path, query or fragment (not shown); write "https://cp.example.com", the origin only',
    );
  });
});
