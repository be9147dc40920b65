import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { createHash, randomUUID } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { DataSource, EntityManager } from 'typeorm';
import { pkiTransaction } from './pki-transaction';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { KeyVault } from '../platform/key-vault/key-vault';
import { CaMaterial, Hierarchy, loadOrCreateHierarchy, loadOrRenewResponder, minDate } from './ca-hierarchy';
import { CaUrls, signerCertificate, tsaCertificate } from './domain/certificate-profiles';
import type { NameAttributes } from './domain/x509';
import { buildCrl } from './domain/crl';
import {
  buildOcspResponse,
  CertStatus,
  issuerHashes,
  MalformedOcspRequest,
  OcspAuthority,
  ocspErrorResponse,
  parseOcspRequest,
} from './domain/ocsp';
import { OID } from './domain/oids';
import { isRevocationReason } from './domain/revocation-reason';
import { nameToString, parseCertificate, randomSerial, serialHex, toPem } from './domain/x509';
import { CertificateEntity, CertificateKind, CrlCounterEntity, CrlEntity, IssuerCa } from './pki.entities';

/**
 * The service's certification authority (発行局, seed 000 用語⑤): the root and issuing CA from
 * CERTS_DIR, certificate issuance, CRLs and the OCSP responder. Other modules use:
 * `rootCertificate`, `issuingCaCertificate`, `trustAnchorsPem` (validation), `issueTsaCertificate`
 * (the TSA, at first start and key rollover) and `revocationInfo` (PAdES B-LT validation data).
 */
@Injectable()
export class CertificateAuthority implements OnApplicationBootstrap {
  private readonly logger = new Logger('CertificateAuthority');
  private hierarchy?: Promise<Hierarchy>;
  private responder?: Promise<CaMaterial>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vault: KeyVault,
    @Inject(Clock) private readonly clock: Clock,
    private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ready();
  }

  /** Loads (or on first start creates) the hierarchy, records the CA certificates, issues first CRLs. */
  ready(): Promise<Hierarchy> {
    this.hierarchy ??= this.initialise().catch((e: unknown) => {
      this.hierarchy = undefined;
      throw e;
    });
    return this.hierarchy;
  }

  private async initialise(): Promise<Hierarchy> {
    const prefix = this.config.CA_NAME_PREFIX;
    const h = await loadOrCreateHierarchy(this.vault, {
      certsDir: this.config.certsDir,
      now: this.now(),
      names: {
        root: `${prefix} ルート認証局`,
        issuing: `${prefix} 署名用発行局`,
        organization: this.config.BANK_NAME,
      },
      rootYears: this.config.ROOT_CA_VALIDITY_YEARS,
      issuingYears: this.config.ISSUING_CA_VALIDITY_YEARS,
      rootUrls: this.urls('root'),
    });
    await this.recordIfMissing(h.root, 'root-ca', null);
    await this.recordIfMissing(h.issuing, 'issuing-ca', 'root');
    for (const ca of ['root', 'issuing'] as const) {
      const latest = await this.latestCrl(ca);
      if (!latest || latest.nextUpdate.getTime() <= this.now().getTime()) {
        await pkiTransaction(this.dataSource, (m) => this.issueCrlWith(h, ca, m));
      }
    }
    return h;
  }

  async rootCertificate(): Promise<Uint8Array> {
    return (await this.ready()).root.der;
  }

  async issuingCaCertificate(): Promise<Uint8Array> {
    return (await this.ready()).issuing.der;
  }

  /** The trust anchor(s) relying parties configure: the root certificate, PEM. */
  async trustAnchorsPem(): Promise<string> {
    return toPem((await this.ready()).root.der);
  }

  /** CA certificates above a certificate issued by `ca`, nearest first, up to the root. */
  async chainAbove(ca: IssuerCa): Promise<Buffer[]> {
    const h = await this.ready();
    return ca === 'issuing' ? [h.issuing.der, h.root.der] : [h.root.der];
  }

  /** URLs placed in certificates issued by `ca`, built from PUBLIC_URL. */
  urls(ca: IssuerCa): CaUrls {
    const base = this.config.publicUrl;
    return {
      crl: `${base}/pki/crl/${ca === 'root' ? 'root' : 'issuing'}.crl`,
      ocsp: `${base}/pki/ocsp`,
      caIssuers: `${base}/pki/${ca === 'root' ? 'root' : 'issuing-ca'}.crt`,
    };
  }

  /**
   * A TSA certificate for the RFC 3161 service, issued by the root (EKU id-kp-timeStamping only,
   * critical). Called by the TSA module at first start and at key rollover.
   */
  async issueTsaCertificate(input: {
    commonName: string;
    publicKeySpki: Uint8Array;
    notBefore: Date;
    notAfter: Date;
  }): Promise<{ certificate: Uint8Array; chain: Uint8Array[] }> {
    const h = await this.ready();
    const serial = randomSerial();
    const notAfter = minDate(input.notAfter, h.root.certificate.notAfter.value);
    const subject: NameAttributes = {
      country: 'JP',
      organization: this.config.BANK_NAME,
      commonName: input.commonName,
    };
    const der = tsaCertificate({
      serial,
      subjectSpki: input.publicKeySpki,
      notBefore: input.notBefore,
      notAfter,
      subject,
      issuer: { certificate: h.root.certificate, key: h.root.key },
      urls: this.urls('root'),
    });
    await pkiTransaction(this.dataSource, async (m) => {
      const row = this.certificateRow(der, 'tsa', 'root', 'system');
      await m.getRepository(CertificateEntity).insert(row);
      await this.audit.append(
        {
          actor: 'system',
          action: 'pki.certificate.issued',
          subject: `certificate:${row.id}`,
          details: {
            kind: 'tsa',
            serial: row.serialHex,
            subjectDn: row.subject,
            notAfter: row.notAfter.toISOString(),
          },
        },
        m,
      );
    });
    return { certificate: der, chain: [h.root.der] };
  }

  /** Signs a subscriber or bank-signer certificate with the issuing CA (no database write). */
  async signSignerCertificate(input: {
    subject: NameAttributes;
    email?: string;
    publicKeySpki: Uint8Array;
    validityDays: number;
  }): Promise<{ der: Buffer; serialHex: string; notBefore: Date; notAfter: Date }> {
    const h = await this.ready();
    const notBefore = this.now();
    const notAfter = minDate(
      new Date(notBefore.getTime() + input.validityDays * 86_400_000),
      h.issuing.certificate.notAfter.value,
    );
    const serial = randomSerial();
    const der = signerCertificate({
      serial,
      subjectSpki: input.publicKeySpki,
      notBefore,
      notAfter,
      subject: input.subject,
      email: input.email,
      issuer: { certificate: h.issuing.certificate, key: h.issuing.key },
      urls: this.urls('issuing'),
      policyOid: this.config.CERT_POLICY_OID,
    });
    return { der, serialHex: serialHex(serial), notBefore, notAfter };
  }

  /** A database row for a certificate we issued (the caller inserts it in its transaction). */
  certificateRow(
    der: Uint8Array,
    kind: CertificateKind,
    issuerCa: IssuerCa | null,
    issuedBy: string,
  ): CertificateEntity {
    const cert = parseCertificate(der);
    const row = new CertificateEntity();
    Object.assign(row, {
      id: randomUUID(),
      serialHex: serialHex(new Uint8Array(cert.serialNumber.valueBlock.valueHexView)),
      kind,
      issuerCa,
      subject: nameToString(cert.subject),
      subscriberId: null,
      signingIdentityId: null,
      activeSlot: null,
      holderName: null,
      holderEmail: null,
      keyType: null,
      notBefore: cert.notBefore.value,
      notAfter: cert.notAfter.value,
      certificatePem: toPem(der),
      sha256: createHash('sha256').update(der).digest('hex'),
      issuedBy,
      issuedAt: this.now(),
      revokedAt: null,
      revocationReason: null,
      revocationChannel: null,
      revokedBy: null,
    } satisfies CertificateEntity);
    return row;
  }

  /**
   * Issues a new CRL of `ca` inside the caller's transaction (so a revocation and the CRL that
   * lists it commit together). The counter row is locked: CRL numbers never repeat (RFC 5280 §5.2.3).
   */
  async issueCrl(ca: IssuerCa, manager: EntityManager): Promise<Buffer> {
    return this.issueCrlWith(await this.ready(), ca, manager);
  }

  private async issueCrlWith(h: Hierarchy, ca: IssuerCa, m: EntityManager): Promise<Buffer> {
    const counters = m.getRepository(CrlCounterEntity);
    const pg = m.connection.options.type === 'postgres';
    const lockCounter = () =>
      pg
        ? counters
            .createQueryBuilder('c')
            .setLock('pessimistic_write')
            .where('c.issuer_ca = :ca', { ca })
            .getOne()
        : counters.findOneBy({ issuerCa: ca });
    let counter = await lockCounter();
    if (!counter) {
      // First CRL of this CA: create the counter (a racing first start may have just done so).
      if (pg)
        await m.query(
          `INSERT INTO pki_crl_counters (issuer_ca, last_number) VALUES ($1, 0) ON CONFLICT DO NOTHING`,
          [ca],
        );
      else
        await m.query(`INSERT OR IGNORE INTO pki_crl_counters (issuer_ca, last_number) VALUES (?, 0)`, [ca]);
      counter = await lockCounter();
      if (!counter) throw new Error('CRL counter row missing');
    }
    const crlNumber = counter.lastNumber + 1;
    const revoked = await m
      .getRepository(CertificateEntity)
      .createQueryBuilder('c')
      .where('c.issuer_ca = :ca', { ca })
      .andWhere('c.revoked_at IS NOT NULL')
      .orderBy('c.revoked_at', 'ASC')
      .getMany();
    const thisUpdate = this.now();
    const nextUpdate = new Date(thisUpdate.getTime() + this.config.CRL_NEXT_UPDATE_HOURS * 3_600_000);
    const issuer = ca === 'root' ? h.root : h.issuing;
    const der = buildCrl({
      issuer: { certificate: issuer.certificate, key: issuer.key },
      crlNumber,
      thisUpdate,
      nextUpdate,
      revoked: revoked.map((r) => ({
        serialHex: r.serialHex,
        revokedAt: r.revokedAt!,
        reason: isRevocationReason(r.revocationReason) ? r.revocationReason : 'unspecified',
      })),
    });
    await counters.update({ issuerCa: ca }, { lastNumber: crlNumber });
    await m.getRepository(CrlEntity).insert({
      id: randomUUID(),
      issuerCa: ca,
      crlNumber,
      thisUpdate,
      nextUpdate,
      revokedCount: revoked.length,
      derBase64: der.toString('base64'),
    });
    return der;
  }

  /** Issues fresh CRLs of both CAs now (operator command); returns their numbers. */
  async reissueCrls(): Promise<{ root: number; issuing: number }> {
    const h = await this.ready();
    for (const ca of ['root', 'issuing'] as const) {
      await pkiTransaction(this.dataSource, (m) => this.issueCrlWith(h, ca, m));
    }
    return {
      root: (await this.latestCrl('root'))!.crlNumber,
      issuing: (await this.latestCrl('issuing'))!.crlNumber,
    };
  }

  /** The current CRL of `ca` (DER), re-issued first when its nextUpdate has passed. */
  async currentCrl(ca: IssuerCa): Promise<Buffer> {
    const h = await this.ready();
    const latest = await this.latestCrl(ca);
    if (latest && latest.nextUpdate.getTime() > this.now().getTime())
      return Buffer.from(latest.derBase64, 'base64');
    return pkiTransaction(this.dataSource, (m) => this.issueCrlWith(h, ca, m));
  }

  private latestCrl(ca: IssuerCa): Promise<CrlEntity | null> {
    return this.dataSource
      .getRepository(CrlEntity)
      .findOne({ where: { issuerCa: ca }, order: { crlNumber: 'DESC' } });
  }

  /**
   * Scheduled re-issue (nextUpdate = CRL_NEXT_UPDATE_HOURS): a CRL is renewed once half its
   * lifetime has passed, so relying parties always find one that is not stale.
   */
  @Interval('pki-crl-refresh', 10 * 60_000)
  async refreshCrls(): Promise<number> {
    const h = await this.ready();
    let issued = 0;
    for (const ca of ['root', 'issuing'] as const) {
      const latest = await this.latestCrl(ca);
      const half = latest ? (latest.nextUpdate.getTime() + latest.thisUpdate.getTime()) / 2 : 0;
      if (!latest || this.now().getTime() >= half) {
        await pkiTransaction(this.dataSource, (m) => this.issueCrlWith(h, ca, m));
        issued++;
      }
    }
    if (issued) this.logger.log(`re-issued ${issued} CRL(s)`);
    return issued;
  }

  /**
   * RFC 6960 responder. Answers from the database (so a revocation is visible at once):
   * good / revoked (time, reason) / unknown; echoes the nonce; `malformedRequest` for bad input,
   * `unauthorized` when no asked-about certificate is from our CAs.
   */
  async respondOcsp(requestDer: Uint8Array): Promise<Buffer> {
    const h = await this.ready();
    const authorities = await this.ocspAuthorities(h);
    let parsed;
    try {
      parsed = parseOcspRequest(requestDer, authorities);
    } catch (e) {
      if (e instanceof MalformedOcspRequest) return ocspErrorResponse('malformedRequest');
      throw e;
    }
    const authority = parsed.items.find((i) => i.authority)?.authority;
    if (!authority) return ocspErrorResponse('unauthorized');
    const ca: IssuerCa = authority.name === 'root' ? 'root' : 'issuing';
    const answers = [];
    for (const item of parsed.items) {
      const status: CertStatus =
        item.authority === authority ? await this.statusOf(ca, item.serialHex) : { status: 'unknown' };
      answers.push({ certId: item.certId, status });
    }
    return buildOcspResponse({
      signer: authority.signer,
      producedAt: this.now(),
      nextUpdate: (await this.latestCrl(ca))?.nextUpdate,
      nonce: parsed.nonce,
      answers,
    });
  }

  private async ocspAuthorities(h: Hierarchy): Promise<OcspAuthority[]> {
    const responder = await this.currentResponder(h);
    return [
      {
        name: 'issuing',
        issuer: h.issuing.certificate,
        signer: {
          key: responder.key,
          certificate: responder.certificate,
          certificates: [responder.der, h.issuing.der],
        },
      },
      // The root answers for what it issued (issuing CA, TSA) itself: RFC 6960 §4.2.2.2 allows the CA.
      {
        name: 'root',
        issuer: h.root.certificate,
        signer: { key: h.root.key, certificate: h.root.certificate, certificates: [] },
      },
    ];
  }

  private async currentResponder(h: Hierarchy): Promise<CaMaterial> {
    const now = this.now();
    const existing = this.responder ? await this.responder.catch(() => undefined) : undefined;
    if (existing) {
      const from = existing.certificate.notBefore.value.getTime();
      const to = existing.certificate.notAfter.value.getTime();
      if (now.getTime() < to - (to - from) / 4) return existing;
    }
    this.responder = loadOrRenewResponder(this.vault, h.issuing, {
      certsDir: this.config.certsDir,
      now,
      validityDays: this.config.OCSP_RESPONDER_VALIDITY_DAYS,
      commonName: `${this.config.CA_NAME_PREFIX} OCSPレスポンダ`,
      organization: this.config.BANK_NAME,
    }).then(async (m) => {
      await this.recordIfMissing(m, 'ocsp-responder', 'issuing');
      return m;
    });
    return this.responder;
  }

  private async statusOf(ca: IssuerCa, serial: string): Promise<CertStatus> {
    const row = await this.dataSource
      .getRepository(CertificateEntity)
      .findOneBy({ serialHex: serial, issuerCa: ca });
    if (!row) return { status: 'unknown' };
    if (row.revokedAt && row.revokedAt.getTime() <= this.now().getTime()) {
      return {
        status: 'revoked',
        revokedAt: row.revokedAt,
        reason: isRevocationReason(row.revocationReason) ? row.revocationReason : 'unspecified',
      };
    }
    return { status: 'good' };
  }

  /**
   * Validation data for a certificate issued by our CAs (PAdES B-LT DSS): a fresh OCSP response
   * and the current CRL of its issuer. Empty for a certificate we did not issue.
   */
  async revocationInfo(certificateDer: Uint8Array): Promise<{ ocsp?: Uint8Array; crl?: Uint8Array }> {
    const h = await this.ready();
    let cert: pkijs.Certificate;
    try {
      cert = parseCertificate(certificateDer);
    } catch {
      return {};
    }
    const sha256 = createHash('sha256').update(certificateDer).digest('hex');
    const row = await this.dataSource.getRepository(CertificateEntity).findOneBy({ sha256 });
    if (!row || !row.issuerCa) return {};
    const issuer = row.issuerCa === 'root' ? h.root : h.issuing;
    const { name, key } = issuerHashes(issuer.certificate, 'sha1');
    // SHA-1 CertID: the identifier every validator matches (RFC 5019 §2.1.1); it is not a signature.
    const certId = new pkijs.CertID({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: OID.sha1,
        algorithmParams: new asn1js.Null(),
      }),
      issuerNameHash: new asn1js.OctetString({ valueHex: name }),
      issuerKeyHash: new asn1js.OctetString({ valueHex: key }),
      serialNumber: cert.serialNumber,
    });
    const request = new pkijs.OCSPRequest();
    request.tbsRequest.requestList = [new pkijs.Request({ reqCert: certId })];
    const ocsp = await this.respondOcsp(new Uint8Array(request.toSchema(true).toBER(false)));
    const crl = await this.currentCrl(row.issuerCa);
    return { ocsp, crl };
  }

  private async recordIfMissing(
    m: CaMaterial,
    kind: CertificateKind,
    issuerCa: IssuerCa | null,
  ): Promise<void> {
    const repo = this.dataSource.getRepository(CertificateEntity);
    const sha256 = createHash('sha256').update(m.der).digest('hex');
    if (await repo.existsBy({ sha256 })) return;
    try {
      await pkiTransaction(this.dataSource, async (tx) => {
        const row = this.certificateRow(m.der, kind, issuerCa, 'system');
        await tx.getRepository(CertificateEntity).insert(row);
        await this.audit.append(
          {
            actor: 'system',
            action: 'pki.certificate.issued',
            subject: `certificate:${row.id}`,
            details: {
              kind,
              serial: row.serialHex,
              subjectDn: row.subject,
              notAfter: row.notAfter.toISOString(),
            },
          },
          tx,
        );
      });
    } catch (e) {
      // Another process recorded it first (unique sha256): fine.
      if (!(await repo.existsBy({ sha256 }))) throw e;
    }
  }

  /** Business "now" truncated to whole seconds (X.509 times carry no fractions, RFC 5280 §4.1.2.5). */
  now(): Date {
    return new Date(Math.floor(this.clock.now().getTime() / 1000) * 1000);
  }
}
