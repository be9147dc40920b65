import { generateKeyPair, KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as pkijs from 'pkijs';
import { KeyVault } from '../platform/key-vault/key-vault';
import { writeFileAtomic } from '../platform/fs.util';
import {
  CaUrls,
  ocspResponderCertificate,
  rootCaCertificate,
  subordinateCaCertificate,
} from './domain/certificate-profiles';
import { fromPem, parseCertificate, randomSerial, spkiOf, toPem } from './domain/x509';

/** One CA (or responder): its certificate and its unsealed key, held in memory only. */
export interface CaMaterial {
  der: Buffer;
  certificate: pkijs.Certificate;
  key: KeyObject;
}

export interface Hierarchy {
  root: CaMaterial;
  issuing: CaMaterial;
}

interface StoredMaterial {
  certificatePem: string;
  sealedKey: string;
}

interface HierarchyFile {
  format: 'econtract-pki-hierarchy/1';
  createdAt: string;
  root: StoredMaterial;
  issuing: StoredMaterial;
}

export const HIERARCHY_FILE = 'pki-hierarchy.json';
export const RESPONDER_FILE = 'ocsp-responder.json';

const generateKeyPairAsync = promisify(generateKeyPair);

export async function newEcKey(curve: 'P-256' | 'P-384'): Promise<KeyObject> {
  const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: curve });
  return privateKey;
}

export interface HierarchySpec {
  certsDir: string;
  now: Date;
  names: { root: string; issuing: string; organization: string };
  rootYears: number;
  issuingYears: number;
  /** Where the root publishes its CRL and certificate (embedded in the issuing CA certificate). */
  rootUrls: CaUrls;
}

/**
 * Loads the CA hierarchy from CERTS_DIR, creating it on first start. The whole hierarchy is one
 * file written with an exclusive link: two processes starting together both generate, one wins,
 * the other discards its own and loads the winner's, so there is never a second root.
 */
export async function loadOrCreateHierarchy(vault: KeyVault, spec: HierarchySpec): Promise<Hierarchy> {
  const file = path.join(spec.certsDir, HIERARCHY_FILE);
  let stored = await readJson<HierarchyFile>(file);
  if (!stored) {
    const created = await createHierarchy(vault, spec);
    await writeFileAtomic(file, `${JSON.stringify(created, null, 2)}\n`, { exclusive: true, mode: 0o600 });
    stored = await readJson<HierarchyFile>(file);
    if (!stored) throw new Error(`${file} could not be read back`);
  }
  if (stored.format !== 'econtract-pki-hierarchy/1') throw new Error(`${file}: unknown format`);
  const hierarchy = {
    root: await openMaterial(vault, stored.root, 'ca:root'),
    issuing: await openMaterial(vault, stored.issuing, 'ca:issuing'),
  };
  // Public copies for people and tools (openssl, verify-signed-pdf --trust certs/root.pem).
  await writeIfChanged(path.join(spec.certsDir, 'root.pem'), stored.root.certificatePem);
  await writeIfChanged(path.join(spec.certsDir, 'issuing-ca.pem'), stored.issuing.certificatePem);
  return hierarchy;
}

async function createHierarchy(vault: KeyVault, spec: HierarchySpec): Promise<HierarchyFile> {
  const rootKey = await newEcKey('P-384');
  const issuingKey = await newEcKey('P-384');
  const rootNotAfter = addYears(spec.now, spec.rootYears);
  const rootDer = rootCaCertificate({
    serial: randomSerial(),
    subjectSpki: spkiOf(rootKey),
    notBefore: spec.now,
    notAfter: rootNotAfter,
    subject: { country: 'JP', organization: spec.names.organization, commonName: spec.names.root },
    key: rootKey,
  });
  const root = parseCertificate(rootDer);
  const issuingNotAfter = minDate(addYears(spec.now, spec.issuingYears), rootNotAfter);
  const issuingDer = subordinateCaCertificate({
    serial: randomSerial(),
    subjectSpki: spkiOf(issuingKey),
    notBefore: spec.now,
    notAfter: issuingNotAfter,
    subject: { country: 'JP', organization: spec.names.organization, commonName: spec.names.issuing },
    issuer: { certificate: root, key: rootKey },
    urls: spec.rootUrls,
  });
  return {
    format: 'econtract-pki-hierarchy/1',
    createdAt: spec.now.toISOString(),
    root: { certificatePem: toPem(rootDer), sealedKey: await vault.seal(pkcs8(rootKey), 'ca:root') },
    issuing: {
      certificatePem: toPem(issuingDer),
      sealedKey: await vault.seal(pkcs8(issuingKey), 'ca:issuing'),
    },
  };
}

/**
 * The delegated OCSP responder (RFC 6960 §4.2.2.2) has a short life because of ocsp-nocheck: it is
 * renewed when a quarter of its validity is left. Renewal replaces the file atomically; a second
 * process renewing at the same moment produces another valid responder, which is harmless.
 */
export async function loadOrRenewResponder(
  vault: KeyVault,
  issuing: CaMaterial,
  spec: { certsDir: string; now: Date; validityDays: number; commonName: string; organization: string },
): Promise<CaMaterial> {
  const file = path.join(spec.certsDir, RESPONDER_FILE);
  const stored = await readJson<StoredMaterial>(file);
  if (stored) {
    const m = await openMaterial(vault, stored, 'ocsp-responder');
    const from = m.certificate.notBefore.value.getTime();
    const to = m.certificate.notAfter.value.getTime();
    const sameIssuer = m.certificate.issuer.isEqual(issuing.certificate.subject);
    if (sameIssuer && spec.now.getTime() < to - (to - from) / 4) return m;
  }
  const key = await newEcKey('P-256');
  const notAfter = minDate(
    new Date(spec.now.getTime() + spec.validityDays * 86_400_000),
    issuing.certificate.notAfter.value,
  );
  const der = ocspResponderCertificate({
    serial: randomSerial(),
    subjectSpki: spkiOf(key),
    notBefore: spec.now,
    notAfter,
    subject: { country: 'JP', organization: spec.organization, commonName: spec.commonName },
    issuer: { certificate: issuing.certificate, key: issuing.key },
  });
  const fresh: StoredMaterial = {
    certificatePem: toPem(der),
    sealedKey: await vault.seal(pkcs8(key), 'ocsp-responder'),
  };
  await writeFileAtomic(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600 });
  return { der, certificate: parseCertificate(der), key };
}

async function openMaterial(vault: KeyVault, s: StoredMaterial, context: string): Promise<CaMaterial> {
  const der = fromPem(s.certificatePem);
  return { der, certificate: parseCertificate(der), key: await vault.unseal(s.sealedKey, context) };
}

function pkcs8(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'pkcs8' });
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function writeIfChanged(file: string, text: string): Promise<void> {
  const current = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (current !== text) await writeFileAtomic(file, text, { mode: 0o644 });
}

export function addYears(d: Date, years: number): Date {
  const r = new Date(d.getTime());
  r.setUTCFullYear(r.getUTCFullYear() + years);
  return r;
}

export function minDate(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}
