import { describe, expect, it } from 'vitest';
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
