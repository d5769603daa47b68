/**
 * Vault benchmark: `pnpm tsx packages/vault/bench/vault.bench.ts`. Prints figures, asserts nothing.
 *
 * 1. The in-process ceiling: AES-256-GCM seals and HMAC blind indexes per second on one core.
 * 2. Cache-hit tokenizations per second (the steady-state hot path).
 * 3. New-identifier tokenizations per second: in process (memory store: the vault's own CPU)
 *    and against dynalite + kms-local on loopback.
 * 4. Vault API calls per 1,000 events for a Zipf workload (DynamoDB and KMS, by operation),
 *    counted with the SDK middleware of @residency/aws.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { createCallCounter } from '@residency/aws';
import type { TokenRequest } from '@residency/core';
import {
  createBlindIndexer,
  createMemoryAuditLog,
  createMemoryKeyProvider,
  createMemoryVaultStore,
  createRandomPool,
  createVaultWithPorts,
  sealEntryValue,
} from '../src/index.ts';
import { startVaultFixture } from '../tests/fixtures.ts';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const line = (label: string, value: string) => console.log(`${label.padEnd(54)} ${value}`);

/** A rate measured two ways: per wall-clock second, and per second of this process's CPU time. */
interface Rate {
  wall: number;
  cpu: number;
}

// The CPU-time rate is what one core sustains even when other processes share the machine (the
// wall-clock rate then drops with the share of the core this process gets).
const show = (rate: Rate) => `${fmt(rate.wall)} /s wall, ${fmt(rate.cpu)} /s per CPU-second`;

function measure(startWall: number, startCpu: NodeJS.CpuUsage, done: number): Rate {
  const wallSeconds = (performance.now() - startWall) / 1000;
  const cpu = process.cpuUsage(startCpu);
  return { wall: done / wallSeconds, cpu: done / ((cpu.user + cpu.system) / 1e6) };
}

function timeFor(seconds: number, step: () => number): Rate {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const startWall = performance.now();
  const startCpu = process.cpuUsage();
  while (performance.now() < end) done += step();
  return measure(startWall, startCpu, done);
}

async function timeForAsync(seconds: number, step: () => Promise<number>): Promise<Rate> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const startWall = performance.now();
  const startCpu = process.cpuUsage();
  while (performance.now() < end) done += await step();
  return measure(startWall, startCpu, done);
}

function memory() {
  return createVaultWithPorts({
    store: createMemoryVaultStore(),
    audit: createMemoryAuditLog(),
    keys: createMemoryKeyProvider(),
    vaultName: 'bench-vault',
  });
}

function zipf(n: number, s: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1) ** s;
  return () => {
    const u = Math.random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

async function ceiling(): Promise<void> {
  console.log('\n## In-process ceiling (one core)');
  const random = createRandomPool();
  const id = randomBytes(16);
  const material = { id, idHex: id.toString('hex'), key: randomBytes(32) };
  const ref = { indexVersion: 'v1', kind: 'phone', blindIndex: 'ab'.repeat(32) };
  const token = 'phn_0123456789ABCDEFGHJKMNPQRS';
  const seals = timeFor(2, () => {
    for (let i = 0; i < 1000; i++)
      sealEntryValue(material, 'bench-vault', ref, token, '+919876543210', random);
    return 1000;
  });
  line('AES-256-GCM seals of a phone number (envelope + entry context)', show(seals));
  const iv = randomBytes(12);
  const plaintext = Buffer.from('+919876543210');
  const raw = timeFor(2, () => {
    for (let i = 0; i < 1000; i++) {
      const cipher = createCipheriv('aes-256-gcm', material.key, iv);
      cipher.update(plaintext);
      cipher.final();
      cipher.getAuthTag();
    }
    return 1000;
  });
  line('  reference: bare createCipheriv + update + final + tag', show(raw));
  const indexer = createBlindIndexer('v1', randomBytes(32));
  const hmacs = timeFor(2, () => {
    for (let i = 0; i < 1000; i++) indexer.blindIndex('phone', `+91987654${i}`);
    return 1000;
  });
  line('HMAC-SHA256 blind indexes', show(hmacs));
}

async function cacheHits(): Promise<void> {
  console.log('\n## Tokenize, cache hits (one core)');
  const vault = memory();
  const ids: TokenRequest[] = Array.from({ length: 10_000 }, (_, i) => ({
    kind: 'patient',
    value: `P-${i}`,
  }));
  await vault.tokenize(ids);
  const batch = 500;
  let offset = 0;
  const perSecond = await timeForAsync(3, async () => {
    const requests = ids.slice(offset, offset + batch);
    offset = (offset + batch) % ids.length;
    await vault.tokenize(requests);
    return requests.length;
  });
  line(`cache-hit tokenizations, batches of ${batch}`, show(perSecond));
}

async function newInProcess(): Promise<void> {
  console.log('\n## Tokenize, new identifiers, in process (memory store: HMAC + token + seal + algorithm)');
  const vault = memory();
  let n = 0;
  const perSecond = await timeForAsync(3, async () => {
    const requests = Array.from({ length: 500 }, () => ({ kind: 'phone', value: `+9198${n++}` }));
    await vault.tokenize(requests);
    return requests.length;
  });
  line('new-identifier tokenizations (memory store)', show(perSecond));
}

async function againstDynalite(): Promise<void> {
  const fx = await startVaultFixture();
  try {
    console.log('\n## Tokenize, new identifiers, against dynalite + kms-local (loopback, same process)');
    const vault = fx.vault();
    await vault.tokenize([{ kind: 'patient', value: 'warm-up' }]);
    let n = 0;
    const perSecond = await timeForAsync(5, async () => {
      const requests = Array.from({ length: 500 }, () => ({ kind: 'patient', value: `NEW-${n++}` }));
      await vault.tokenize(requests);
      return requests.length;
    });
    line(
      'new-identifier tokenizations against dynalite',
      `${show(perSecond)} (vault + dynalite + kms-local)`,
    );

    console.log('\n## Zipf workload: vault API calls per 1,000 events (batches of 500 events)');
    const counter = createCallCounter();
    const vaultZ = fx.vault({ counter });
    const patient = zipf(20_000, 1.1);
    const doctor = zipf(500, 1.1);
    const registered = new Set<number>();
    let appointments = 0;
    const phase = async (label: string, events: number) => {
      counter.reset();
      const before = vaultZ.stats();
      let registrations = 0;
      for (let done = 0; done < events; done += 500) {
        const requests: TokenRequest[] = [];
        for (let e = 0; e < 500; e++) {
          const p = patient();
          const subject = { kind: 'patient', value: `Z-P-${p}` };
          if (!registered.has(p)) {
            // patient.registered: the subject and two contact identifiers, linked to it
            registered.add(p);
            registrations += 1;
            requests.push(
              subject,
              { kind: 'phone', value: `+91981${String(p).padStart(7, '0')}`, linkTo: subject },
              { kind: 'email', value: `z${p}@example.org`, linkTo: subject },
            );
          } else {
            // appointment.booked: the subject, a doctor (Zipf), a new appointment id
            requests.push(
              subject,
              { kind: 'doctor', value: `Z-D-${doctor()}` },
              { kind: 'appointment', value: `Z-A-${appointments++}` },
            );
          }
        }
        await vaultZ.tokenize(requests);
      }
      const after = vaultZ.stats();
      console.log(
        `### ${label}: ${events} events, ${registrations} patient.registered, ${events - registrations} appointment.booked`,
      );
      for (const [operation, count] of Object.entries(counter.snapshot()).sort()) {
        line(`  ${operation} per 1,000 events`, ((count / events) * 1000).toFixed(1));
      }
      line('  all calls per 1,000 events', ((counter.total() / events) * 1000).toFixed(1));
      line('  KMS calls per 1,000 events', ((counter.total('KMS.') / events) * 1000).toFixed(2));
      line(
        '  identifiers: cache hits / misses / created',
        `${after.cacheHits - before.cacheHits} / ${after.cacheMisses - before.cacheMisses} / ${after.created - before.created}`,
      );
    };
    await phase('cold start', 10_000);
    await phase('warm (same instance, next 10,000 events)', 10_000);
  } finally {
    await fx.close();
  }
}

const started = Date.now();
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(
  `# vault benchmark (node ${process.version}, ${new Date().toISOString()}, load average ${load()})`,
);
await ceiling();
await cacheHits();
await newInProcess();
await againstDynalite();
console.log(`\n(done in ${((Date.now() - started) / 1000).toFixed(1)} s, load average ${load()})`);
