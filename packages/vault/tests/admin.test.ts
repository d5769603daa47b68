import {
  clinicbook,
  ErasureNoticeSchema,
  type TokenRequest,
  tenantScoped,
  tokenKey,
  tokenRequestsFor,
  validateEvent,
} from '@residency/core';
import { describe, expect, it } from 'vitest';
import {
  AmbiguousSubjectError,
  AuditWriteError,
  createVaultAdminHandler,
  ErasureNoticeDeliveryError,
  type ErasureSink,
  UnauthorizedError,
} from '../src/index.ts';
import { ALICE } from './fixtures.ts';
import { memoryVault } from './memory.ts';

const registered = (patientId: string, phone: string, email?: string): TokenRequest[] => {
  const linkTo = { kind: 'patient', value: patientId };
  return [
    { kind: 'patient', value: patientId },
    { kind: 'phone', value: phone, linkTo },
    ...(email ? [{ kind: 'email', value: email, linkTo }] : []),
  ];
};

/** A ClinicBook registration, validated as the ingest does (a patient number is keyed per tenant). */
const registration = (tenantId: string, patientId: string, phone = '+8801711234567') => {
  const result = validateEvent(clinicbook, {
    eventId: crypto.randomUUID(),
    type: 'patient.registered',
    occurredAt: '2026-11-27T10:00:00+06:00',
    tenantId,
    schemaVersion: 1,
    patientId,
    phone,
    dateOfBirth: '1990-04-02',
    name: 'Rahima Khatun',
    address: 'House 12, Road 5, Mirpur',
    gender: 'female',
    district: 'Dhaka',
  });
  if (!result.ok) throw result.error;
  return result.event;
};

describe('detokenize', () => {
  it('writes the audit record (who, which tokens, why) before revealing', async () => {
    const { vault, audit } = memoryVault();
    const tokens = await vault.tokenize([{ kind: 'patient', value: 'P-1' }]);
    const token = tokens.get(tokenKey('patient', 'P-1')) as string;
    const result = await vault.detokenize([token, 'pat_00000000000000000000000000'], ALICE);
    expect(result.revealed).toEqual([{ token, kind: 'patient', value: 'P-1' }]);
    expect(result.missing).toEqual(['pat_00000000000000000000000000']);
    expect(audit.records).toEqual([
      expect.objectContaining({
        requestId: result.requestId,
        action: 'detokenize',
        outcome: 'requested',
        actor: 'alice',
        purpose: ALICE.purpose,
        tokens: [token, 'pat_00000000000000000000000000'],
      }),
    ]);
  });

  it('Precondition: if the audit write fails, nothing is revealed', async () => {
    const { vault, audit, store } = memoryVault();
    const token = (await vault.tokenize([{ kind: 'patient', value: 'P-1' }])).get(tokenKey('patient', 'P-1'));
    audit.failing = true;
    const pointerReads = store.calls.getPointers ?? 0;
    await expect(vault.detokenize([token as string], ALICE)).rejects.toBeInstanceOf(AuditWriteError);
    expect(store.calls.getPointers ?? 0).toBe(pointerReads);
  });

  it('refuses an actor outside the allowlist, and audits the denied attempt with the actor as a shape and a keyed digest', async () => {
    const { vault, audit } = memoryVault();
    const token = (await vault.tokenize([{ kind: 'patient', value: 'P-1' }])).get(tokenKey('patient', 'P-1'));
    await expect(
      vault.detokenize([token as string], { actor: 'mallory', purpose: 'curious' }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(
      vault.detokenize([token as string], { actor: 'mallory', purpose: 'again' }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    expect(audit.records).toEqual([
      expect.objectContaining({
        action: 'detokenize',
        outcome: 'denied',
        actorShape: 'a{7}',
        actorDigest: expect.stringMatching(/^v1:[0-9a-f]{32}$/),
        purpose: 'curious',
        tokens: [],
      }),
      expect.objectContaining({ outcome: 'denied', purpose: 'again' }),
    ]);
    // The same actor gives the same digest (repeated attempts show), and its text is nowhere.
    expect(audit.records[1]?.actorDigest).toBe(audit.records[0]?.actorDigest);
    expect(JSON.stringify(audit.records)).not.toContain('mallory');
  });

  it('requires a purpose', async () => {
    const { vault } = memoryVault();
    await expect(
      vault.detokenize(['pat_00000000000000000000000000'], { actor: 'alice', purpose: ' ' }),
    ).rejects.toThrow();
  });
});

describe('eraseSubject', () => {
  it('erases the subject and its contacts from any identifier: tokens no longer resolve, a new event gets a new token', async () => {
    // Prepare
    const sent: unknown[] = [];
    const sink: ErasureSink = { send: async (notice) => void sent.push(notice) };
    const { vault, audit, store } = memoryVault({ erasureSink: sink });
    const before = await vault.tokenize(registered('P-1', '+8801711111111', 'x@example.org'));
    const subject = before.get(tokenKey('patient', 'P-1')) as string;
    const phone = before.get(tokenKey('phone', '+8801711111111')) as string;
    const email = before.get(tokenKey('email', 'x@example.org')) as string;
    // Act
    const result = await vault.eraseSubject(
      { identifier: { kind: 'phone', value: '+8801711111111' } },
      ALICE,
    );
    // Assess
    expect(result.outcome).toBe('erased');
    if (result.outcome !== 'erased') return;
    expect(ErasureNoticeSchema.parse(result.notice).tokens.sort()).toEqual([subject, phone, email].sort());
    expect(sent).toEqual([result.notice]);
    expect((await vault.detokenize([subject, phone, email], ALICE)).missing).toHaveLength(3);
    expect(store.dump()).toEqual([
      expect.objectContaining({ id: 'IK#v1' }),
      expect.objectContaining({ id: expect.stringMatching(/^DK#/) }),
    ]);
    const after = await vault.tokenize([{ kind: 'patient', value: 'P-1' }]);
    expect(after.get(tokenKey('patient', 'P-1'))).not.toBe(subject);
    expect(audit.records.filter((r) => r.action === 'erase').map((r) => r.outcome)).toEqual([
      'requested',
      'completed',
    ]);
    expect(audit.records.find((r) => r.outcome === 'completed')?.noticeId).toBe(result.notice.noticeId);
  });

  it('keeps a contact shared with another subject, removing only the link', async () => {
    const { vault } = memoryVault();
    const a = await vault.tokenize(registered('P-A', '+919800000001'));
    await vault.tokenize(registered('P-B', '+919800000001'));
    const result = await vault.eraseSubject({ identifier: { kind: 'patient', value: 'P-A' } }, ALICE);
    const phone = a.get(tokenKey('phone', '+919800000001')) as string;
    expect(result.outcome === 'erased' && result.keptContacts).toEqual([phone]);
    const exported = await vault.exportSubject({ identifier: { kind: 'patient', value: 'P-B' } }, ALICE);
    expect(exported.outcome === 'found' && exported.contacts.map((c) => c.value)).toEqual(['+919800000001']);
  });

  it('links a contact two subjects of one batch share to both: each export holds it, erasing one keeps it', async () => {
    // Prepare: a mother and her child registered with one phone, in one ingest batch
    const { vault } = memoryVault();
    await vault.tokenize(
      tokenRequestsFor([registration('dhk-mirpur-01', 'P-MOTHER'), registration('dhk-mirpur-01', 'P-CHILD')]),
    );
    // Act
    // The ingest keys a patient number per tenant
    const patient = (id: string) => ({
      identifier: { kind: 'patient', value: tenantScoped('dhk-mirpur-01', id) },
    });
    const mother = await vault.exportSubject(patient('P-MOTHER'), ALICE);
    const erased = await vault.eraseSubject(patient('P-CHILD'), ALICE);
    const motherAfter = await vault.exportSubject(patient('P-MOTHER'), ALICE);
    // Assess
    expect(mother.outcome === 'found' && mother.contacts.map((c) => c.value)).toEqual(['+8801711234567']);
    expect(erased.outcome === 'erased' && erased.keptContacts).toHaveLength(1);
    expect(motherAfter.outcome === 'found' && motherAfter.contacts.map((c) => c.value)).toEqual([
      '+8801711234567',
    ]);
  });

  it('keeps two tenants apart: their patients of one number are two people, each exported and erased alone', async () => {
    // Prepare: patient P-0001 of a Dhaka clinic and patient P-0001 of a Kolkata clinic
    const { vault } = memoryVault();
    const events = [
      registration('dhk-mirpur-01', 'P-0001', '+8801711234567'),
      registration('kol-behala-02', 'P-0001', '+8801811234567'),
    ];
    const tokens = await vault.tokenize(tokenRequestsFor(events));
    const subjectOf = (tenant: string) => tokens.get(tokenKey('patient', `${tenant}/P-0001`));
    const handle = createVaultAdminHandler(vault);
    const request = (action: 'export' | 'erase', tenant: string) =>
      handle({
        action,
        subject: { identifier: { kind: 'patient', value: 'P-0001', tenant } },
        actor: 'alice',
        purpose: 'DSAR-11',
      });
    // Act
    const dhaka = await request('export', 'dhk-mirpur-01');
    const erased = await request('erase', 'kol-behala-02');
    const dhakaAfter = await request('export', 'dhk-mirpur-01');
    // Assess
    expect(subjectOf('dhk-mirpur-01')).toBeDefined();
    expect(subjectOf('dhk-mirpur-01')).not.toBe(subjectOf('kol-behala-02'));
    expect(dhaka).toMatchObject({ ok: true, outcome: 'found' });
    const contactsOf = (response: unknown) =>
      (response as { contacts: Array<{ value: string }> }).contacts.map((c) => c.value);
    expect(contactsOf(dhaka)).toEqual(['+8801711234567']);
    expect(erased).toMatchObject({ ok: true, outcome: 'erased' });
    expect(contactsOf(dhakaAfter)).toEqual(['+8801711234567']);
  });

  it('refuses to guess the subject of a contact shared by two subjects', async () => {
    const { vault } = memoryVault();
    await vault.tokenize(registered('P-A', '+919800000002'));
    await vault.tokenize(registered('P-B', '+919800000002'));
    await expect(
      vault.eraseSubject({ identifier: { kind: 'phone', value: '+919800000002' } }, ALICE),
    ).rejects.toBeInstanceOf(AmbiguousSubjectError);
  });

  it('is not_found for an unknown subject, and audited', async () => {
    const { vault, audit } = memoryVault();
    const result = await vault.eraseSubject({ identifier: { kind: 'patient', value: 'nobody' } }, ALICE);
    expect(result.outcome).toBe('not_found');
    expect(audit.records.map((r) => r.outcome)).toEqual(['not_found']);
  });

  it('Precondition: the notice is handed to the sink before anything is deleted', async () => {
    let tokensAtSend: string[] = [];
    const { vault, store } = memoryVault({
      erasureSink: {
        send: async (notice) => {
          tokensAtSend = [...(await store.getPointers(notice.tokens)).keys()];
        },
      },
    });
    const tokens = await vault.tokenize(registered('P-1', '+919800000003'));
    await vault.eraseSubject({ identifier: { kind: 'patient', value: 'P-1' } }, ALICE);
    expect(tokensAtSend.sort()).toEqual([...tokens.values()].sort());
  });

  it('fails with nothing erased when the sink does not take the notice; erasing again delivers and erases', async () => {
    // Prepare
    const sent: unknown[] = [];
    let outboxDown = true;
    const { vault, audit } = memoryVault({
      erasureSink: {
        send: async (notice) => {
          if (outboxDown) throw new Error('outbox down');
          sent.push(notice);
        },
      },
    });
    const tokens = await vault.tokenize(registered('P-1', '+919800000004'));
    const subject = { identifier: { kind: 'patient', value: 'P-1' } };
    // Act
    const error = await vault.eraseSubject(subject, ALICE).catch((e: unknown) => e);
    // Assess: refused loudly, the subject intact, the audit shows a request that did not complete.
    expect(error).toBeInstanceOf(ErasureNoticeDeliveryError);
    const failed = (error as ErasureNoticeDeliveryError).notice;
    expect(failed.tokens).toHaveLength(2);
    expect((error as Error).message).toContain('nothing was erased');
    expect((await vault.detokenize([...tokens.values()], ALICE)).missing).toEqual([]);
    expect(audit.records.filter((r) => r.action === 'erase').map((r) => [r.outcome, r.noticeId])).toEqual([
      ['requested', failed.noticeId],
      ['failed', failed.noticeId],
    ]);
    expect(audit.records.find((r) => r.outcome === 'failed')?.reason).toBe('ErasureNoticeDeliveryError');
    // Act: the outbox is back.
    outboxDown = false;
    const result = await vault.eraseSubject(subject, ALICE);
    // Assess
    expect(result.outcome === 'erased' && sent).toEqual([result.outcome === 'erased' && result.notice]);
    expect((await vault.detokenize([...tokens.values()], ALICE)).missing).toHaveLength(2);
  });
});

describe('exportSubject', () => {
  it('returns the subject and its linked contacts, decrypted, from a token or any identifier', async () => {
    const { vault, audit } = memoryVault();
    const tokens = await vault.tokenize(registered('P-1', '+919811111111', 'y@example.org'));
    const phone = tokens.get(tokenKey('phone', '+919811111111')) as string;
    const byToken = await vault.exportSubject({ token: phone }, ALICE);
    const byEmail = await vault.exportSubject(
      { identifier: { kind: 'email', value: 'y@example.org' } },
      ALICE,
    );
    expect(byToken.outcome).toBe('found');
    if (byToken.outcome !== 'found') return;
    expect(byToken.subject).toMatchObject({ kind: 'patient', value: 'P-1' });
    expect(byToken.contacts.map((c) => [c.kind, c.value]).sort()).toEqual([
      ['email', 'y@example.org'],
      ['phone', '+919811111111'],
    ]);
    expect(byEmail).toMatchObject({ outcome: 'found', subject: byToken.subject });
    expect(audit.records.filter((r) => r.action === 'export').every((r) => r.outcome === 'requested')).toBe(
      true,
    );
  });
});

describe('reindex', () => {
  it('moves entries to a new index key version keeping their tokens; a v2 vault with v1 fallback gives no second token', async () => {
    // Prepare
    const { vault, another, store } = memoryVault();
    const v1 = await vault.tokenize(registered('P-1', '+919822222222'));
    const during = another({ indexKeyVersion: 'v2', previousIndexKeyVersions: ['v1'] });
    const seenDuring = await during.tokenize([{ kind: 'patient', value: 'P-1' }]);
    // Act
    const result = await vault.reindex({ fromVersion: 'v1', toVersion: 'v2' }, ALICE);
    const rerun = await vault.reindex({ fromVersion: 'v1', toVersion: 'v2' }, ALICE);
    // Assess
    expect(result).toMatchObject({ migrated: 2, conflicts: 0 });
    expect(rerun.migrated).toBe(0);
    expect(seenDuring.get(tokenKey('patient', 'P-1'))).toBe(v1.get(tokenKey('patient', 'P-1')));
    const after = another({ indexKeyVersion: 'v2' });
    const v2 = await after.tokenize(registered('P-1', '+919822222222'));
    expect([...v2.values()].sort()).toEqual([...v1.values()].sort());
    const revealed = await after.detokenize([...v1.values()], ALICE);
    expect(revealed.revealed.map((r) => r.value).sort()).toEqual(['+919822222222', 'P-1']);
    expect(
      (store.dump() as Array<{ ref?: { indexVersion: string } }>).filter((i) => i.ref?.indexVersion === 'v1'),
    ).toEqual([]);
  });
});
