import { describe, expect, it } from 'vitest';
import { destinationsIn } from '../src/destinations.ts';
import { quoteValue, redactUrl, redactUrls } from '../src/redact.ts';

describe('redactUrl', () => {
  it('replaces userinfo, query and fragment by ***, and keeps scheme, host, port and path', () => {
    expect(redactUrl('https://user:secret@host.example.com:8443/path?token=abc#top')).toBe(
      'https://***@host.example.com:8443/path?***#***',
    );
    expect(redactUrl('https://host.example.com/path')).toBe('https://host.example.com/path');
    expect(redactUrl('s3://bucket/key?X-Amz-Signature=abc')).toBe('s3://bucket/key?***');
    // `#{...}` is a placeholder the template leaves unresolved, not a fragment.
    expect(redactUrl('https://s3.#{AWS.Region}.#{AWS.URLSuffix}/#{Bucket}/t.json#x')).toBe(
      'https://s3.#{AWS.Region}.#{AWS.URLSuffix}/#{Bucket}/t.json#***',
    );
  });

  it('hides a password with a raw slash or a delimiter up to its last @, and JSON-escaped slashes', () => {
    expect(redactUrl('https://user:pa/ss@evil.example.com/x')).toBe('https://***@evil.example.com/x');
    expect(redactUrls('a https://u:pa;ss,w@host.example.com/p b')).toBe('a https://***@host.example.com/p b');
    expect(redactUrls('{"sink":"https:\\/\\/u:p@h.example.com\\/x"}')).toBe(
      '{"sink":"https:\\/\\/***@h.example.com\\/x"}',
    );
  });
});

describe('quoteValue', () => {
  it('redacts URLs and user:password@ without a scheme, and leaves other text alone', () => {
    expect(quoteValue('svc:hunter2@broker.example.com:9092')).toBe('***@broker.example.com:9092');
    expect(quoteValue('user:secret@host')).toBe('***@host');
    expect(quoteValue('https://u:p@h.example.com')).toBe('https://***@h.example.com');
    expect(quoteValue('arn:aws:sqs:ap-south-1:123456789012:q')).toBe('arn:aws:sqs:ap-south-1:123456789012:q');
  });
});

describe('destinationsIn', () => {
  const where = (text: string) => destinationsIn(text, 'ap-south-1').map((destination) => destination.where);

  it('finds bare host names and single-label host:port', () => {
    expect(where('kafka.example.com')).toEqual(['kafka.example.com']);
    expect(where('{"collector":"collector.eu-west-1.example.net/in"}')).toEqual([
      'collector.eu-west-1.example.net',
    ]);
    expect(where('kafka:9092,redis:6379')).toEqual(['kafka:9092', 'redis:6379']);
    expect(where('svc:1234@kafka:9092')).toEqual(['kafka:9092']);
    expect(where('api.uidai.gov.in, sqs.eu-west-1.amazonaws.com')).toEqual([
      'api.uidai.gov.in',
      'sqs.eu-west-1.amazonaws.com',
    ]);
  });

  it('passes what only looks like a host: files, handlers, versions, fields, units, images, e-mail', () => {
    for (const text of [
      'index.handler',
      'app.js',
      'main.py run.sh README.md lib.so main.tf',
      '1.2.3',
      'v1.2.3-beta.1',
      'events-table',
      'residency',
      '42',
      'user.id,created.at,reply.to,phone.no',
      'linger.ms=5,weight.kg',
      'node:22,postgres:16,retries:3',
      'com.example.Handler::handleRequest',
      'ops@example.com',
      '*.example.com',
      'sqs.ap-south-1.amazonaws.com',
      'arn:aws:sns:ap-south-1:123456789012:alerts.v2',
      'localhost:8080,foo.localhost',
    ]) {
      expect(where(text), text).toEqual([]);
    }
  });

  it('names a URL by scheme and host only, even when its password holds a slash', () => {
    expect(where('https://user:pa/ss@evil.example.com/x')).toEqual(['https://***@evil.example.com']);
    expect(where('https://svc:pw@collector.example.com/in?token=abc')).toEqual([
      'https://collector.example.com',
    ]);
  });

  it('reads a URL host that is a placeholder as unresolved', () => {
    expect(
      destinationsIn('https://#{Api}.execute-api.#{AWS.Region}.#{AWS.URLSuffix}/prod', 'ap-south-1'),
    ).toEqual([
      { kind: 'url', where: 'https://#{Api}.execute-api.#{AWS.Region}.#{AWS.URLSuffix}', unresolved: true },
    ]);
  });

  it('reads a host as resolved when its only placeholders are pseudo parameters', () => {
    const [destination] = destinationsIn('kms.eu-west-1.#{AWS.URLSuffix}', 'ap-south-1');
    expect(destination).toEqual({ kind: 'host', where: 'kms.eu-west-1.#{AWS.URLSuffix}', unresolved: false });
    expect(destinationsIn('kms.#{AWS.Region}.#{AWS.URLSuffix}', 'ap-south-1')).toEqual([]);
  });
});
