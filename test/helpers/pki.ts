import { INestApplication } from '@nestjs/common';
import { spawn, spawnSync } from 'node:child_process';
import request from 'supertest';
import type { App } from 'supertest/types';
import { StaffRole } from '../../src/identity/auth/principal';
import { CertificateView } from '../../src/pki/certificate-view';
import { SigningIdentityView, CreateSigningIdentity } from '../../src/pki/signing-identities.usecase';
import { UnlockedSigningKey, UnlockSigningKey } from '../../src/pki/unlock-signing-key.usecase';
import { createSubscriber, SubscriberOverrides, TestPerson } from './identity';

/**
 * PKI factories for other modules' tests: a subscriber with a signing certificate and PIN
 * (through the real HTTP application step), a branch-manager signing identity, and unlocking.
 */
export const TEST_PIN = '482915';

interface TestAppLike {
  app: INestApplication;
}

/** POST /api/me/certificate as the subscriber; returns the issued certificate. */
export async function applyForCertificate(
  t: TestAppLike,
  person: TestPerson,
  pin = TEST_PIN,
): Promise<CertificateView> {
  const res = await request(t.app.getHttpServer() as App)
    .post('/api/me/certificate')
    .set('Authorization', `Bearer ${person.token}`)
    .send({ pin, pinConfirmation: pin });
  if (res.status !== 201)
    throw new Error(`certificate application failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CertificateView;
}

/** A logged-in subscriber (identity's createSubscriber) holding a certificate whose PIN is `pin`. */
export async function createSubscriberWithCertificate(
  t: TestAppLike,
  options: { pin?: string; subscriber?: SubscriberOverrides } = {},
): Promise<{ person: TestPerson; certificate: CertificateView; pin: string }> {
  const pin = options.pin ?? TEST_PIN;
  const person = await createSubscriber(t, options.subscriber);
  const certificate = await applyForCertificate(t, person, pin);
  return { person, certificate, pin };
}

/** A branch-manager signing identity (EC-06) created through the use case, with its PIN. */
export async function createSigningIdentity(
  t: TestAppLike,
  options: { branchName?: string; title?: string; personName?: string; pin?: string } = {},
): Promise<{ identity: SigningIdentityView; pin: string }> {
  const pin = options.pin ?? TEST_PIN;
  const identity = await t.app.get(CreateSigningIdentity).execute({
    branchName: options.branchName ?? '本店営業部',
    title: options.title ?? '支店長',
    personName: options.personName ?? '試験 一郎',
    pin,
    actor: 'test',
  });
  return { identity, pin };
}

/** Opens a subscriber's key with the PIN (what the contract module does before signing). */
export function unlockSubscriberKey(
  t: TestAppLike,
  subscriberId: string,
  pin = TEST_PIN,
): Promise<UnlockedSigningKey> {
  return t.app.get(UnlockSigningKey).unlock({ subscriberId, pin, actor: `subscriber:${subscriberId}` });
}

/** Opens a branch-manager key as a bank signer. */
export function unlockBankKey(
  t: TestAppLike,
  signingIdentityId: string,
  operatorId: string,
  contractId: string,
  pin = TEST_PIN,
): Promise<UnlockedSigningKey> {
  return t.app.get(UnlockSigningKey).unlockBankSigningIdentity({
    signingIdentityId,
    pin,
    operator: { id: operatorId, roles: [StaffRole.BANK_SIGNER] },
    contractId,
  });
}

/** Runs openssl; returns stdout+stderr and the exit status (tests use it as an independent checker). */
export function openssl(args: string[], input?: Buffer): { status: number; out: string } {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/**
 * Async openssl, for commands that talk to the app under test (`ocsp -url`): a synchronous spawn
 * would block the event loop the app needs to answer. Killed after `timeoutMs`.
 */
export function opensslAsync(args: string[], timeoutMs = 20_000): Promise<{ status: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? -1, out });
    });
  });
}
