import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type PiiRuleId, scanValue, verhoeffCheckDigit } from '../../src/pii/index.ts';

function rulesOf(value: string): PiiRuleId[] {
  return scanValue(value)
    .map((f) => f.rule)
    .sort();
}

function aadhaar(first11: string): string {
  return first11 + verhoeffCheckDigit(first11);
}

describe('scanValue: detections', () => {
  it.each([
    'rahim@example.com',
    'Rahim.Uddin+clinic@GoogleMail.com',
    'contact: rahim@example.com.',
    'রহিম@উদাহরণ.বাংলা',
    'rahim@xn--p1ai.xn--80asehdb',
    'rahim [at] example [dot] com',
    'rahim(at)example(dot)com',
    'rahim {at} example {dot} com',
    'rahim AT example DOT com',
    'rahim @ example.com',
    'rahim%40example.com',
    'rahim at example dot com',
    'ask rahim at gmail dot com',
    'Rahim At Example Dot Com',
    'rahim at example.com',
    'rahim @ example . com',
    '"rahim"@example.com',
    '(rahim)@example.com',
    '<rahim>@example.com',
    'rahim@(example).com',
    'rahim@gmail\u06D4com',
    'rahim@gmail\u00B7com',
    'rahim@gmail\u0964com',
    'rahim.uddin.gmail.com',
    'rahim_uddin_gmail_com',
    'rahim gmail com',
    'rahim.uddin@gmail',
    'rahim.uddin@yahoo',
    'rahim.uddin -- gmail -- com',
    'rahim.uddin....gmail....com',
    'rahim.uddin    gmail    com',
    'rahim_   yahoo_  co_  in',
  ])('email: %s', (value) => {
    expect(rulesOf(value)).toContain('email');
  });

  it.each([
    '01711234567',
    '01711-234567',
    '017-1123-4567',
    '017.1123.4567',
    '01711 234 567',
    '8801711234567',
    '+8801711234567',
    '+880 1711-234567',
    '+880 1711 234 567',
    '(+880) 1711.234567',
    '+880.1711.234567',
    '+880 (0)1711-234567',
    '008801711234567',
    '1711234567',
    'phone=01711234567;',
    '9876543210',
    '09876543210',
    '919876543210',
    '+91 98765 43210',
    '+91-98765-43210',
    '0091 98765 43210',
    '033 2345 6789',
    '+1 (415) 555-2671',
    '+44 20 7183 8750',
    'call 7 01711234567 at 5',
    '01711234567 01811234567',
    'contact_01711234567_mobile',
    'msisdn_8801711234567',
    '0171/123/4567',
    '0171_123_4567',
    '01711,234567',
    '0171\n1234567',
    '0171\u00B7123\u00B74567',
    '0171|1234567',
    '0171 : 123 : 4567',
    '0171#1234567',
    '0 1 7 1 1 2 3 4 5 6 7',
    'cardio 0171/1234567',
    'Rahim01711234567',
    'tel01711234567',
    'dhk01711234567x',
    '9876 543210',
    '98 765 43210',
    '98765-43210',
    '+91 9876 543 210',
    '80+ 01711234567',
    '+01711234567',
  ])('phone: %s', (value) => {
    expect(rulesOf(value)).toContain('phone');
  });

  it.each([
    aadhaar('23456789012'),
    `Aadhaar ${aadhaar('98765432101').replace(/(\d{4})(?=\d)/g, '$1 ')}`,
    aadhaar('50000000000').replace(/(\d{4})(?=\d)/g, '$1-'),
    '2345.6789.0124',
    '2345 67890124',
    '2345/6789/0124',
    '2 3 4 5 6 7 8 9 0 1 2 4',
    'aadhaar234567890124x',
    'uid_2345_6789_0124',
  ])('aadhaar: %s', (value) => {
    expect(rulesOf(value)).toContain('aadhaar');
  });

  it('aadhaar: a wrong check digit or a leading 0/1 is not an Aadhaar', () => {
    // Prepare
    const valid = aadhaar('23456789012');
    const wrongCheck = valid.slice(0, 11) + String((Number(valid[11]) + 1) % 10);
    const leadingOne = aadhaar('13456789012');
    // Act / Assess
    expect(rulesOf(wrongCheck)).not.toContain('aadhaar');
    expect(rulesOf(leadingOne)).not.toContain('aadhaar');
  });

  it.each([
    ['2612345123456', 'Dhaka, city corporation area'],
    ['5525708146231', 'Magura, municipality'],
    ['19902612345123456', 'born 1990, Dhaka'],
    ['1234567890', 'smart card'],
    ['NID: 4217315384860', 'in text'],
    ['nid_19902612345123456', 'behind a token-like prefix'],
    ['1990 2612 3451 23456', 'grouped'],
    ['19_9026_1234_5123_456', 'grouped with underscores'],
    ['nid19902612345123456x', 'glued to letters'],
    ['2612-345-123456', 'grouped with dashes'],
  ])('bd-nid: %s (%s)', (value) => {
    expect(rulesOf(value)).toContain('bd-nid');
  });

  it.each([
    ['1712345123456', 'no district 17'],
    ['2662345123456', 'no RMO code 6'],
    ['18502612345123456', 'birth year 1850'],
    ['0123456789', 'a leading 0'],
  ])('bd-nid: not %s (%s)', (value) => {
    expect(rulesOf(value)).not.toContain('bd-nid');
  });

  it.each(['ABCPE1234F', 'abcpe1234f', 'PAN: AAACB1234Z.'])('pan: %s', (value) => {
    expect(rulesOf(value)).toContain('pan');
  });

  it.each(['ABCDE1234F', 'XABCPE1234F', 'ABCPE1234F9'])(
    'pan: not %s (wrong holder type, or part of a longer word)',
    (value) => {
      expect(rulesOf(value)).not.toContain('pan');
    },
  );

  it.each([
    ['J8369854', 'an Indian passport'],
    ['passport no. Z1234576,', 'an Indian passport in text'],
    ['BM0123456', 'a Bangladeshi machine-readable passport'],
    ['A01234567', 'a Bangladeshi e-passport'],
    ['(A01234567)', 'bracketed'],
    ['ＢＭ０１２３４５６', 'full-width'],
    ['BM০১২৩৪৫৬', 'with Bengali digits'],
    ['BM012\u200B3456', 'split by an invisible character'],
  ])('passport: %s (%s)', (value) => {
    expect(rulesOf(value)).toContain('passport');
  });

  it.each([
    ['bm0123456', 'lower case: what short hex ids look like'],
    ['BM 0123456', 'letters apart from the digits: an amount or a code in text'],
    ['J836985', 'six digits'],
    ['XJ8369854X', 'part of a longer code'],
    ['TK1500000', 'a round number: an amount'],
    ['pat_01HZX8Y5K3Q2M7N4P6R9T0V1W2', 'a vault token'],
  ])('passport: not %s (%s)', (value) => {
    expect(rulesOf(value)).not.toContain('passport');
  });

  it.each([
    ['WBA1234567', 'an EPIC number'],
    ['voter id: WBA1234567.', 'in text'],
    ['ＷＢＡ１２３４５６７', 'full-width'],
    ['WBA১২৩৪৫৬৭', 'with Bengali digits'],
  ])('voter-id: %s (%s)', (value) => {
    expect(rulesOf(value)).toContain('voter-id');
  });

  it.each([
    ['wba1234567', 'lower case'],
    ['BDT 1234567', 'a currency before an amount'],
    ['INR 1500000-2000000', 'a salary band'],
    ['ABCD1234567', 'four letters'],
    ['WBA12345678', 'eight digits'],
  ])('voter-id: not %s (%s)', (value) => {
    expect(rulesOf(value)).not.toContain('voter-id');
  });

  it.each([
    '4111111111111111',
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    '5555555555554444',
    '378282246310005',
    '3782 822463 10005',
    '6011111111111117',
    '3530111333300000',
    '30569309025904',
    '4222222222222',
    'card 4012888888881881, exp 12/29',
    '4111.1111.1111.1111',
    '4111/1111/1111/1111',
    '4111_1111_1111_1111',
    '41 11 11 11 11 11 11 11',
    'visa4111111111111111',
  ])('card: %s', (value) => {
    expect(rulesOf(value)).toContain('card');
  });

  it.each(['4111111111111112', '1795762800000', '0111111111111111'])(
    'card: not %s (Luhn fails, or a 13-digit number not starting with 4, or a leading 0)',
    (value) => {
      expect(rulesOf(value)).not.toContain('card');
    },
  );

  it.each(['203.0.113.7', 'client=192.168.1.10:443', 'from 10.0.0.1.'])('ipv4: %s', (value) => {
    expect(rulesOf(value)).toContain('ipv4');
  });

  it.each(['127.0.0.1', '0.0.0.0', '255.255.255.0', '224.0.0.1', '256.1.1.1', '1.2.3.4.5', '01.02.03.04'])(
    'ipv4: not %s (loopback, unspecified, mask, multicast or not an address)',
    (value) => {
      expect(rulesOf(value)).not.toContain('ipv4');
    },
  );

  it.each([
    '2001:db8::8a2e:370:7334',
    'fe80::1ff:fe23:4567:890a',
    '::ffff:203.0.113.7',
    '[2001:db8::1]:443',
    'from 2001:0db8:0000:0000:0000:ff00:0042:8329.',
  ])('ipv6: %s', (value) => {
    expect(rulesOf(value)).toContain('ipv6');
  });

  it.each(['::', '::1', '07:00:00', '00:1a:2b:3c:4d:5e', 'std::vector', 'ratio 3:2'])(
    'ipv6: not %s',
    (value) => {
      expect(rulesOf(value)).not.toContain('ipv6');
    },
  );
});

describe('scanValue: folding defeats tricks', () => {
  it.each([
    ['full-width digits', '０１７１１２３４５６７'],
    ['zero-width spaces', '017\u200B11\u200C23\u200D45\u206067\uFEFF'],
    ['bidi marks', '\u200E0171\u200F1234567\u202A\u202C'],
    ['bidi isolates', '\u20660171123\u20694567'],
    ['Bengali digits', '০১৭১১২৩৪৫৬৭'],
    ['Devanagari digits', '०१७११२३४५६७'],
    ['Arabic-Indic digits', '٠١٧١١٢٣٤٥٦٧'],
    ['keycap emoji digits', '0\uFE0F\u20E31\uFE0F\u20E37\uFE0F\u20E311234567'],
    ['Unicode dashes', '+880\u20111711\u2013234567'],
    ['full-width plus and spaces', '＋８８０\u3000１７１１－２３４５６７'],
    ['stored reversed under a right-to-left override', '\u202E76543211710\u202C'],
  ])('phone hidden with %s', (_, value) => {
    expect(rulesOf(value)).toContain('phone');
  });

  it('finds a full-width email and an email split by zero-width joiners', () => {
    expect(rulesOf('ｒａｈｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ')).toContain('email');
    expect(rulesOf('rahim\u200D@\u200Dexample\u2060.com')).toContain('email');
    expect(rulesOf('rahim@example\u3002com')).toContain('email');
  });

  it('finds an Aadhaar written in Bengali digits with spaces', () => {
    // Prepare
    const bengali = aadhaar('23456789012')
      .replace(/\d/g, (d) => String.fromCharCode(0x09e6 + Number(d)))
      .replace(/(.{4})(?=.)/gu, '$1 ');
    // Act / Assess
    expect(rulesOf(bengali)).toContain('aadhaar');
  });
});

describe('scanValue: what the pipeline sends never trips', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signatures = Array.from({ length: 50 }, (_, i) =>
    sign(null, Buffer.from(`batch ${i}`), privateKey).toString('base64'),
  );
  const digests = Array.from({ length: 50 }, (_, i) =>
    createHash('sha256').update(`body ${i}`).digest('hex'),
  );

  it.each([
    'pat_01HV9Z3K8J2Q4W6E8R0T2Y4U6M',
    'pat_01HV9Z3K8J2Q4W6E8R0T2Y4U6I',
    'phn_01711234567890123456789012',
    'eml_3q2Xk9aZ-0fYq_Lm4Rt7Vw8Yk1',
    '550e8400-e29b-41d4-a716-446655440000',
    '0192f0e4-5c3a-7b8e-9d1f-123456789012',
    '2026-11-27T07:00:00.000Z',
    '2026-11-27T07:00:00+06:00',
    '2026-11-27T07:00Z',
    '2026-11-27T07',
    '2026-11-27 07:00:00',
    '2026-11-27',
    '2026-11-27T07:00:00Z/2026-11-27T08:00:00Z',
    'window 2026-11-27T07:00:00.000Z closed, batch 0192f0e4-5c3a-7b8e-9d1f-123456789012',
    '1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef',
    `sha256:${'9'.repeat(12)}${'f'.repeat(52)}`,
    '12345678901234567890123456789012abcdef01',
    'cX_Q7kBSZz_6IPUPYb6kAu-qjBJq8860J',
    'pat_01HV9Z3K8J2Q4W6E8R0T2Y4U6M, apt_7K2P9XQ4M8B3N6V1C5Z0T2R4W6',
    '0',
    '42',
    '123456',
    '9999999',
    '1795762800000',
    '-42',
    '3.141592653589793',
    '0.1234567890123456',
    '12345.6789012345',
    '1.2.3',
    'v1.2.3-beta.1',
    '10.0.19041',
    '2.0.0+build.20261127',
    '@residency/core@0.1.0',
    'residency.outbound.v1',
    'APPOINTMENT_BOOKED',
    'appointment.booked',
    'clinic-visit',
    '30-39',
    '80+',
    '<1000',
    '1000-5000',
    '10000-50000',
    '50000+',
    '100000 - 5000000',
    '700001',
    'BD-13',
    'v1.2.3.4',
    '@gmail',
    'user@localhost',
    'Gmail users, ward 12',
    'proton therapy in Kolkata',
  ])('%s', (value) => {
    expect(scanValue(value)).toEqual([]);
  });

  it('random UUIDs never trip', () => {
    for (let i = 0; i < 2000; i++) expect(scanValue(randomUUID())).toEqual([]);
  });

  it('Ed25519 signatures (88 base64 characters) and sha256 digests never trip', () => {
    for (const value of [...signatures, ...digests]) expect(scanValue(value)).toEqual([]);
  });
});

describe('scanValue: masks only what the pipeline writes', () => {
  it.each([
    ['a UUID of no RFC 9562 version', '00000000-0000-0000-0000-234567890124', 'aadhaar'],
    ['a UUID of no RFC 9562 variant', '8f14e45f-ceea-467f-c5b1-234567890124', 'aadhaar'],
    ['a token-like value with an I in its body', 'pat_01711234567IJKMNPQRSTVWX', 'phone'],
    ['a token glued to a word', 'xpat_01711234567ABCDEFGHJKMNP', 'phone'],
    ['a token with a lower-case body', 'pat_01711234567abcdefghjkmnp', 'phone'],
    ['a hex run of no digest length', `${'a'.repeat(20)}01711234567`, 'phone'],
    ['digits next to a date, not in it', '2026-11-27 01711234567', 'phone'],
  ])('reads %s', (_, value, rule) => {
    expect(rulesOf(value)).toContain(rule);
  });
});

describe('scanValue: documented limits', () => {
  it('does not report bare local landlines, which look like counts', () => {
    expect(scanValue('29123456')).toEqual([]);
  });

  it('reports a four-part version string as an IPv4 address; a v prefix avoids it', () => {
    expect(rulesOf('1.2.3.4')).toEqual(['ipv4']);
    expect(scanValue('v1.2.3.4')).toEqual([]);
  });

  it('reports 10-digit numbers (epoch seconds) as BD NIDs, and those starting 1[3-9] as phones', () => {
    expect(rulesOf('1795762800')).toEqual(['bd-nid', 'phone']);
  });

  it('reads numbers side by side, or with thousands separators, as one number', () => {
    expect(rulesOf('1,234,567,890')).toEqual(['bd-nid']);
    expect(rulesOf('ward 12, 34567890')).toEqual(['bd-nid']);
  });

  it('does not read a decimal number, or a range of round numbers, as an identifier', () => {
    expect(scanValue('1711234567.5')).toEqual([]);
    expect(scanValue('20000000-50000000')).toEqual([]);
  });

  it('does not read the random bits of a UUID or a vault token: a sender can choose them', () => {
    expect(scanValue('8f14e45f-ceea-467f-a5b1-234567890124')).toEqual([]);
    expect(scanValue('apt_0171123456789ABCDEFGHJKMNP')).toEqual([]);
  });

  it('does not read digits split by letters, or padded into a longer number', () => {
    expect(scanValue('0171a123b4567')).toEqual([]);
    expect(scanValue('9901711234567')).toEqual([]);
  });
});

describe('scanValue: findings', () => {
  it('name the rule and the path only, never the value', () => {
    // Act
    const findings = scanValue('rahim@example.com, +8801711234567');
    // Assess
    expect(findings).toEqual([
      { rule: 'email', path: '$' },
      { rule: 'phone', path: '$' },
    ]);
  });
});
