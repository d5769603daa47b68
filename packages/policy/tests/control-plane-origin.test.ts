import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { awsRegionOfHost, checkControlPlaneOrigin } from '../src/control-plane-origin.ts';

// The one rule for the forwarder's origin, read by the forwarder and by the stacks at deploy time.

describe('checkControlPlaneOrigin', () => {
  it('takes only what new URL keeps verbatim: the origin taken is the text given, less one trailing slash', () => {
    fc.assert(
      fc.property(
        fc.webUrl({ validSchemes: ['https', 'http', 'HTTPS'] }),
        fc.boolean(),
        (input, localMode) => {
          // Act
          const verdict = checkControlPlaneOrigin(input, { localMode });
          // Assess
          if (verdict.ok) {
            expect(verdict.origin).toBe(input.replace(/\/$/, ''));
            expect(new URL(input).origin).toBe(verdict.origin);
          }
        },
      ),
    );
  });

  it('never repeats a user name, password, path, query or fragment', () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{6,12}$/).map((text) => `S3CRET${text}`);
    fc.assert(
      fc.property(
        secret,
        fc.constantFrom('user', 'password', 'path', 'query', 'fragment'),
        (value, where) => {
          // Prepare
          const input = {
            user: `https://${value}@cp.example.com`,
            password: `https://svc:${value}@cp.example.com`,
            path: `https://cp.example.com/hooks/${value}`,
            query: `https://cp.example.com?token=${value}`,
            fragment: `https://cp.example.com#${value}`,
          }[where];
          // Act
          const verdict = checkControlPlaneOrigin(input, { localMode: false });
          // Assess
          expect(verdict.ok).toBe(false);
          expect(verdict.ok ? '' : verdict.problem).not.toContain('S3CRET');
        },
      ),
    );
  });

  it('refuses an AWS endpoint of the data region: the control plane runs in another', () => {
    for (const origin of [
      'https://abc123.lambda-url.ap-south-1.on.aws',
      'https://abc123.execute-api.ap-south-1.amazonaws.com',
    ]) {
      expect(checkControlPlaneOrigin(origin, { localMode: false, dataRegion: 'ap-south-1' }), origin).toEqual(
        {
          ok: false,
          problem: `"${origin}" is an AWS endpoint in the data region ap-south-1; the control plane must run in another region`,
        },
      );
      expect(checkControlPlaneOrigin(origin, { localMode: false, dataRegion: 'ap-south-2' }).ok, origin).toBe(
        true,
      );
    }
    expect(awsRegionOfHost('abc123.lambda-url.eu-central-1.on.aws')).toBe('eu-central-1');
    expect(awsRegionOfHost('ap-south-1.example.com')).toBeUndefined();
  });

  it('refuses an address that reaches this host without looking like loopback', () => {
    for (const origin of [
      'https://0.0.0.0',
      'https://[::]',
      'https://[::ffff:7f00:1]',
      'https://255.255.255.255',
    ]) {
      const verdict = checkControlPlaneOrigin(origin, { localMode: false });
      expect(verdict.ok, origin).toBe(false);
      expect(verdict.ok ? '' : verdict.problem).toContain('reaches this host');
    }
  });

  it('never shows a path the parser folded away, nor anything of a value with an @', () => {
    const folded = checkControlPlaneOrigin('https://cp.example.com/S3CRET-capability/..', {
      localMode: false,
    });
    expect(folded).toEqual({
      ok: false,
      problem: expect.stringMatching(
        /^"https:\/\/cp\.example\.com" \(with what follows, not shown\) is not written/,
      ),
    });
    const split = checkControlPlaneOrigin('https://user:12/S3CRET@cp.example.com', { localMode: false });
    expect(split.ok ? '' : split.problem).toBe(
      "holds an '@' (a user name, a password or a path with one; not shown); write https://host[:port]",
    );
  });

  it('refuses link-local addresses always, and this host in a deployed stage', () => {
    for (const origin of [
      'https://169.254.169.254',
      'https://169.254.170.2',
      'https://[fe80::1]',
      'https://[fd00:ec2::254]',
    ]) {
      expect(checkControlPlaneOrigin(origin, { localMode: false }).ok, origin).toBe(false);
    }
    for (const origin of [
      'https://127.0.0.1:9001',
      'https://localhost',
      'https://[::1]',
      'https://cp.localhost',
    ]) {
      expect(checkControlPlaneOrigin(origin, { localMode: false, deployed: true }).ok, origin).toBe(false);
    }
    expect(checkControlPlaneOrigin('https://127.0.0.1:9001', { localMode: false }).ok).toBe(true);
  });

  it('refuses the older dashed S3 names of the data region', () => {
    for (const origin of [
      'https://s3-ap-south-1.amazonaws.com',
      'https://b.s3-website-ap-south-1.amazonaws.com',
    ]) {
      expect(checkControlPlaneOrigin(origin, { localMode: false, dataRegion: 'ap-south-1' }).ok, origin).toBe(
        false,
      );
      expect(
        checkControlPlaneOrigin(origin, { localMode: false, dataRegion: 'eu-central-1' }).ok,
        origin,
      ).toBe(true);
    }
  });

  it('shows nothing of a user name and password written without a scheme', () => {
    for (const origin of ['admin:hunter2@cp.example.com', 'deploybot:s3cr3t@cp.example.com:8443']) {
      const verdict = checkControlPlaneOrigin(origin, { localMode: false });
      expect(verdict).toEqual({
        ok: false,
        problem: 'is not an http(s) URL (not shown); write https://host[:port]',
      });
    }
  });

  it('says what to write instead', () => {
    expect(checkControlPlaneOrigin('HTTPS://cp.example.com:443/', { localMode: false })).toEqual({
      ok: false,
      problem:
        '"HTTPS://cp.example.com:443" is not written as the origin it names: write "https://cp.example.com" ' +
        '(scheme and host in lower case, no default port, an international name as its punycode, an IP address in dotted decimal)',
    });
    expect(checkControlPlaneOrigin('', { localMode: false })).toEqual({
      ok: false,
      problem: 'is empty; write https://host[:port]',
    });
  });
});
