import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { haystacksOf, scanForLeaks } from '../../src/index.ts';

const phone = '01711234567';
const e164 = '+8801711234567';
const sha = (algorithm: string, value: string) => createHash(algorithm).update(value).digest();

describe('scanForLeaks', () => {
  it('finds a value and its other forms in clear, base64, and as unkeyed digests in any encoding', () => {
    // Prepare
    const haystacks = [
      { name: 'log', content: `{"msg":"sent","to":"${e164}"}` },
      { name: 'b64', content: `payload=${Buffer.from(phone).toString('base64')}` },
      { name: 'hex', content: `idx ${sha('sha256', e164).toString('hex')}` },
      { name: 'HEX', content: `idx ${sha('sha1', phone).toString('hex').toUpperCase()}` },
      { name: 'md5', content: `idx ${sha('md5', e164).toString('base64')}` },
      {
        name: 'bytes',
        content: Buffer.concat([Buffer.from([1, 2, 3]), sha('sha256', phone), Buffer.from([9])]),
      },
    ];

    // Act
    const leaks = scanForLeaks({ values: [{ value: phone, forms: [e164], label: 'phone' }], haystacks });

    // Assess
    expect(leaks.map((l) => `${l.haystack}:${l.encoding}:${l.form}`).sort()).toEqual(
      [
        `log:clear:${e164}`,
        // the local number is inside the E.164 one
        `log:clear:${phone}`,
        `b64:base64:${phone}`,
        `hex:sha256-hex:${e164}`,
        `HEX:sha1-HEX:${phone}`,
        `md5:md5-base64:${e164}`,
        `bytes:sha256-raw:${phone}`,
      ].sort(),
    );
    expect(leaks.every((l) => l.label === 'phone')).toBe(true);
  });

  it('finds a value written in lower case and ignores keyed hashes (HMAC) and short values', () => {
    // Prepare
    const email = 'Rahima.Khatun@Example.org';
    const hmac = createHmac('sha256', 'index key').update(email.toLowerCase()).digest('hex');

    // Act
    const leaks = scanForLeaks({
      values: [email, 'P-1'],
      haystacks: [
        { name: 'lower', content: `to ${email.toLowerCase()}` },
        { name: 'keyed', content: `bidx ${hmac} P-1` },
      ],
    });

    // Assess
    expect(leaks.map((l) => l.haystack)).toEqual(['lower']);
  });

  it('turns DynamoDB items, sets and nested binaries into haystacks', () => {
    // Prepare
    const item = {
      pk: { S: 'V#phone' },
      subjects: new Set(['pat_x']),
      blob: { B: sha('sha256', phone) },
      nested: { L: [{ M: { n: { N: '42' } } }] },
    };

    // Act
    const haystacks = haystacksOf('table t', [item]);
    const leaks = scanForLeaks({ values: [phone], haystacks });

    // Assess
    expect(haystacks[0]?.content).toContain('V#phone');
    expect(haystacks[0]?.content).toContain('pat_x');
    expect(haystacks[0]?.content).toContain('42');
    expect(leaks).toEqual([
      { label: phone, form: phone, encoding: 'sha256-raw', haystack: 'table t $[0].blob.B' },
    ]);
  });
});
