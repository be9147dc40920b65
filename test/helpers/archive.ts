import { INestApplication } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { transformFileSync } from '@swc/core';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { ArchiveOriginal, StoreOriginalCommand } from '../../src/archive/archive-original.usecase';
import { ArchivedOriginalEntity } from '../../src/archive/archive.entities';
import { PadesEngine } from '../../src/pades/pades-engine.service';
import { signatureSpec } from '../../src/pades/domain/signature-spec';
import { KeyObjectSigner } from '../../src/pades/domain/signer';
import { CertificateAuthority } from '../../src/pki/certificate-authority.service';
import { CertificateEntity } from '../../src/pki/pki.entities';
import { FileStore, LocalFileStore } from '../../src/platform/file-store/file-store';
import { sharedPath } from './shared-paths';

/**
 * Archive test factories: a signer certified by the service's own CA (recorded, so its OCSP/CRL
 * answer), a B-LTA original signed with the service's PAdES engine and TSA, and its intake
 * through ArchiveOriginal.store — the same path a completed contract takes.
 */
export const PDF_FIXTURES = sharedPath('fixtures/pdf');

interface TestAppLike {
  app: INestApplication;
}

export interface TestSigner {
  signer: KeyObjectSigner;
  key: KeyObject;
  certificate: Uint8Array;
}

export async function createTestSigner(t: TestAppLike, commonName = '試験 太郎'): Promise<TestSigner> {
  const ca = t.app.get(CertificateAuthority);
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const issued = await ca.signSignerCertificate({
    subject: { country: 'JP', commonName },
    publicKeySpki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    validityDays: 730,
  });
  await t.app
    .get(DataSource)
    .getRepository(CertificateEntity)
    .insert(ca.certificateRow(issued.der, 'subscriber', 'issuing', 'test'));
  const chain = [await ca.issuingCaCertificate(), await ca.rootCertificate()];
  return {
    signer: new KeyObjectSigner(privateKey, issued.der, chain),
    key: privateKey,
    certificate: issued.der,
  };
}

export function fixturePdf(name = 'loan-libreoffice.pdf'): Buffer {
  return readFileSync(path.join(PDF_FIXTURES, name));
}

/** Signs the fixture at B-LTA with the app's engine (signature timestamp, DSS, document timestamp). */
export async function signedOriginal(
  t: TestAppLike,
  signer: TestSigner,
  pdf = fixturePdf(),
): Promise<Uint8Array> {
  const r = await t.app
    .get(PadesEngine)
    .sign(pdf, signatureSpec({ level: 'B-LTA', reason: '契約締結' }), signer.signer);
  return r.bytes;
}

export type OriginalInput = Partial<Omit<StoreOriginalCommand, 'bytes' | 'sha256'>>;

/** Archives a freshly signed original with the given search keys. */
export async function archiveOriginal(
  t: TestAppLike,
  signer: TestSigner,
  input: OriginalInput = {},
  bytes?: Uint8Array,
): Promise<{ original: ArchivedOriginalEntity; bytes: Uint8Array }> {
  const pdf = bytes ?? (await signedOriginal(t, signer));
  const original = await t.app.get(ArchiveOriginal).store({
    contractId: input.contractId ?? randomUUID(),
    title: input.title ?? '金銭消費貸借契約証書（住宅ローン）',
    transactionDate: input.transactionDate ?? '2026-04-01',
    amountYen: input.amountYen ?? 25_000_000,
    counterparty: input.counterparty ?? '電子 花子',
    loanType: input.loanType ?? 'housing',
    parties: input.parties ?? [{ role: '債務者', name: input.counterparty ?? '電子 花子' }],
    concludedAt: input.concludedAt,
    bytes: pdf,
    actor: 'test',
  });
  return { original, bytes: pdf };
}

/** A free loopback port (the app is served on it so the certificates' OCSP/CRL URLs answer). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export const VERIFY_TOOL = sharedPath('verify/verify-signed-pdf');

export interface ToolVerdict {
  exitCode: number;
  checks: { check: string; accepted: boolean; detail: string }[];
}

/**
 * Runs the independent tools without blocking the event loop (pdfsig asks the app's own OCSP
 * responder, served by this same process).
 */
export function verifyWithTools(file: string, args: string[]): Promise<ToolVerdict> {
  return new Promise((resolve) => {
    execFile(VERIFY_TOOL, [...args, '--json', file], { encoding: 'utf8' }, (err, stdout) => {
      const parsed = stdout ? (JSON.parse(stdout) as { checks: ToolVerdict['checks'] }) : { checks: [] };
      resolve({ exitCode: err ? Number((err as { code?: number }).code ?? 1) : 0, checks: parsed.checks });
    });
  });
}

/** Flips one bit of a stored object in place (what a disk fault or a forger would do). */
export function tamperStoredObject(t: TestAppLike, sha256: string, offset = 100): void {
  const store = t.app.get(FileStore);
  if (!(store instanceof LocalFileStore)) throw new Error('tampering needs the local file store');
  const file = store.pathOf(sha256);
  chmodSync(file, 0o640);
  const bytes = readFileSync(file);
  bytes[offset] ^= 0x01;
  writeFileSync(file, bytes);
}

/**
 * Compiles src/ with @swc/core (no type check, as Jest does) into a folder under test-artifacts/
 * (inside the repository so node_modules resolve) and returns the path of the compiled cli.js:
 * crash tests run it as a child process against the test app's database and storage.
 */
export function compileCli(): { cli: string; dir: string } {
  const root = path.resolve(__dirname, '../..');
  const out = path.join(root, 'test-artifacts', `archive-cli-${randomUUID().slice(0, 8)}`);
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === 'public' ? [] : walk(p);
      return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [p] : [];
    });
  for (const file of walk(path.join(root, 'src'))) {
    const target = path.join(out, path.relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(target), { recursive: true });
    const { code } = transformFileSync(file, {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    });
    writeFileSync(target, code);
  }
  return { cli: path.join(out, 'src', 'cli.js'), dir: out };
}
