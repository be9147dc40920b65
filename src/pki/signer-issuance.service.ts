import { Inject, Injectable } from '@nestjs/common';
import { generateKeyPair, KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { KeyVault } from '../platform/key-vault/key-vault';
import { CertificateAuthority } from './certificate-authority.service';
import { NameAttributes, spkiOf } from './domain/x509';
import { CertificateEntity, CertificateKind, SigningKeyEntity } from './pki.entities';

const generateKeyPairAsync = promisify(generateKeyPair);

export type SignerKeyType = AppConfig['SUBSCRIBER_KEY_TYPE'];

/** EC-14: CRYPTREC-listed key types; rsa-2048 only for compatibility with old validators. */
export async function generateSignerKey(type: SignerKeyType): Promise<KeyObject> {
  switch (type) {
    case 'ecdsa-p256':
      return (await generateKeyPairAsync('ec', { namedCurve: 'P-256' })).privateKey;
    case 'rsa-3072':
      return (await generateKeyPairAsync('rsa', { modulusLength: 3072 })).privateKey;
    case 'rsa-2048':
      return (await generateKeyPairAsync('rsa', { modulusLength: 2048 })).privateKey;
  }
}

export interface PreparedSigner {
  certificate: CertificateEntity;
  key: SigningKeyEntity;
}

/**
 * The common part of issuing a signer certificate (subscriber or branch manager): the service
 * generates the key pair (EC-03), the issuing CA signs, the private key is sealed under the PIN
 * (EC-04) with the certificate id as context. The PKCS#8 bytes live only in this function.
 * Nothing is written: the use case inserts both rows in its own transaction.
 */
@Injectable()
export class SignerIssuance {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ca: CertificateAuthority,
    private readonly vault: KeyVault,
  ) {}

  async prepare(input: {
    id: string;
    kind: Extract<CertificateKind, 'subscriber' | 'bank-signer'>;
    subject: NameAttributes;
    email?: string;
    pin: string;
    actor: string;
    holder: { subscriberId?: string; signingIdentityId?: string; name: string; email: string | null };
  }): Promise<PreparedSigner> {
    const keyType = this.config.SUBSCRIBER_KEY_TYPE;
    const key = await generateSignerKey(keyType);
    const signed = await this.ca.signSignerCertificate({
      subject: input.subject,
      email: input.email,
      publicKeySpki: spkiOf(key),
      validityDays: this.config.SUBSCRIBER_CERT_VALIDITY_DAYS,
    });
    const sealedKey = await this.vault.sealWithPin(
      key.export({ format: 'der', type: 'pkcs8' }),
      input.pin,
      input.id,
    );
    const certificate = this.ca.certificateRow(signed.der, input.kind, 'issuing', input.actor);
    Object.assign(certificate, {
      id: input.id,
      subscriberId: input.holder.subscriberId ?? null,
      signingIdentityId: input.holder.signingIdentityId ?? null,
      activeSlot: input.holder.subscriberId
        ? `subscriber:${input.holder.subscriberId}`
        : `identity:${input.holder.signingIdentityId}`,
      holderName: input.holder.name,
      holderEmail: input.holder.email,
      keyType,
    });
    const now = this.ca.now();
    const keyRow: SigningKeyEntity = {
      certificateId: input.id,
      sealedKey,
      failedPinAttempts: 0,
      lockedAt: null,
      pinSetAt: now,
      pinSetBy: input.actor,
      pinChangedAt: null,
      lastUsedAt: null,
    };
    return { certificate, key: keyRow };
  }

  async insert(m: EntityManager, p: PreparedSigner): Promise<void> {
    await m.getRepository(CertificateEntity).insert(p.certificate);
    await m.getRepository(SigningKeyEntity).insert(p.key);
  }
}

/** True when the database refused a duplicate (unique index) on either database. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string }; message?: string };
  const code = err.driverError?.code ?? err.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(err.message ?? '')
  );
}
