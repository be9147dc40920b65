import { createHash, X509Certificate } from 'node:crypto';
import {
  TimeStampSubIndication,
  verifyTimeStampToken,
  type TimeStampVerification,
} from '../../tsa/domain/verify-time-stamp-token';
import { PdfDocument, type PdfSignatureInfo } from '../pdf/pdf-document';
import { changesAfter, type RevisionChange } from '../pdf/revision-diff';
import { CertificatePool, describeCertificate, type CertificatePath } from './certificate-path';
import {
  checkSignerInfo,
  parseCms,
  parseTimeStampToken,
  type ParsedCms,
  type ParsedTimeStampToken,
} from './cms-reader';
import { RevocationStore, type RevocationStatus } from './revocation';
import type { PadesLevel } from './signature-spec';
import type { RevocationData, ValidationDataSource } from './validation-data';
import type {
  CertificateSummary,
  CheckName,
  EntryReport,
  Indication,
  SubIndication,
  TimestampSummary,
  ValidationCheck,
  ValidationReport,
} from './validation-report';

export interface PadesValidationOptions {
  /** DER of the trusted roots (the service's root, other banks' roots…). */
  trustAnchors: Uint8Array[];
  /** The validation time (default: now). Earlier proofs come only from timestamps in the file. */
  at: Date;
  /**
   * Where to fetch revocation data missing from the file (live OCSP/CRL). Leave undefined to
   * validate from the embedded data alone (long-term validation, `--at` in the future).
   */
  validationData?: ValidationDataSource;
  maxPdfBytes?: number;
}

/** Changes allowed after a signature (ETSI EN 319 142-1 §5.4, ISO 32000-1 §12.8.2.2 DocMDP). */
const ALLOWED_AFTER: Record<1 | 2 | 3, Set<RevisionChange['kind']>> = {
  // A document timestamp brings its own (signature-type) field and widget: allowed with it, while
  // a new approval signature ('signature') is not.
  1: new Set(['dss', 'doc-timestamp', 'signature-field']),
  2: new Set(['dss', 'doc-timestamp', 'signature', 'signature-field', 'form-field-value']),
  3: new Set(['dss', 'doc-timestamp', 'signature', 'signature-field', 'form-field-value', 'annotation']),
};

const ACCEPTED_SUBFILTERS = new Set(['ETSI.CAdES.detached', 'adbe.pkcs7.detached']);

interface Entry {
  info: PdfSignatureInfo;
  index: number;
  cms?: ParsedCms;
  token?: ParsedTimeStampToken;
  parseError?: string;
}

/**
 * Validates every signature and document timestamp of a PDF (ETSI EN 319 102-1 basic,
 * with-time and long-term validation, simplified): from the newest document timestamp back to the
 * oldest entry, each valid timestamp provides the proof of existence (POE) for everything before
 * it, so certificates that expired or were revoked after that proof do not invalidate anything.
 */
export class PadesValidator {
  private readonly pool = new CertificatePool();
  private readonly store = new RevocationStore();
  private readonly anchors: X509Certificate[];
  private readonly liveAsked = new Set<string>();
  private readonly tokenCache = new Map<string, Promise<TimeStampVerification>>();

  private constructor(
    private readonly doc: PdfDocument,
    private readonly options: PadesValidationOptions,
  ) {
    this.anchors = options.trustAnchors.map((a) => new X509Certificate(a));
  }

  static async validate(pdf: Uint8Array, options: PadesValidationOptions): Promise<ValidationReport> {
    const doc = PdfDocument.load(pdf, { maxBytes: options.maxPdfBytes });
    return new PadesValidator(doc, options).run();
  }

  private async run(): Promise<ValidationReport> {
    const sigs = this.doc.signatures();
    const dss = this.doc.dss();
    this.pool.add(...(dss?.certs ?? []));
    for (const o of dss?.ocsps ?? []) this.store.addOcsp(o);
    for (const c of dss?.crls ?? []) this.store.addCrl(c);
    const entries: Entry[] = sigs.map((info, i) => {
      const e: Entry = { info, index: i + 1 };
      try {
        if (info.type === 'DocTimeStamp' || info.subFilter === 'ETSI.RFC3161') {
          e.token = parseTimeStampToken(info.contents);
          this.pool.add(...e.token.cms.certificates);
        } else {
          e.cms = parseCms(info.contents);
          this.pool.add(...e.cms.certificates);
          for (const t of e.cms.signatureTimeStamps) {
            try {
              this.pool.add(...parseTimeStampToken(t).cms.certificates);
            } catch {
              // reported when the token is checked
            }
          }
        }
      } catch (err) {
        e.parseError = err instanceof Error ? err.message : String(err);
      }
      return e;
    });
    const certification = sigs.find((s) => s.docMdp !== undefined);
    const reports: EntryReport[] = [];
    // Newest first: a valid document timestamp proves existence of everything before it.
    let poe = this.options.at;
    let poeFromTimestamp = false;
    let latestValidDocTs: number | undefined;
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      const changes = changesAfter(this.doc, e.info.revisionEnd);
      const report =
        e.info.type === 'DocTimeStamp' || e.info.subFilter === 'ETSI.RFC3161'
          ? await this.validateDocumentTimestamp(e, poe, poeFromTimestamp, changes, certification)
          : await this.validateSignature(e, poe, poeFromTimestamp, changes, certification, latestValidDocTs);
      if (report.type === 'document-timestamp' && report.indication === 'TOTAL-PASSED' && report.provenTime) {
        poe = new Date(report.provenTime);
        poeFromTimestamp = true;
        latestValidDocTs = e.index;
      }
      reports.unshift(report);
    }
    const indication: Indication = !reports.length
      ? 'TOTAL-FAILED'
      : reports.some((r) => r.indication === 'TOTAL-FAILED')
        ? 'TOTAL-FAILED'
        : reports.some((r) => r.indication === 'INDETERMINATE')
          ? 'INDETERMINATE'
          : 'TOTAL-PASSED';
    return {
      validationTime: this.options.at.toISOString(),
      indication,
      offline: !this.options.validationData,
      entries: reports,
    };
  }

  // ---------------------------------------------------------------------------------------------

  private async validateSignature(
    e: Entry,
    poe: Date,
    poeFromTimestamp: boolean,
    changes: RevisionChange[],
    certification: PdfSignatureInfo | undefined,
    laterDocTs: number | undefined,
  ): Promise<EntryReport> {
    const checks: ValidationCheck[] = [];
    const report = this.baseReport(e, 'signature', changes);
    if (e.info.signingTime) report.claimedSigningTime = e.info.signingTime.toISOString();
    if (e.info.docMdp) report.certification = { permission: e.info.docMdp };
    const finish = () => this.conclude(report, checks);

    if (!ACCEPTED_SUBFILTERS.has(e.info.subFilter) || !e.cms) {
      checks.push(
        fail(
          'format',
          'TOTAL-FAILED',
          'FORMAT_FAILURE',
          e.parseError ?? `unsupported /SubFilter ${e.info.subFilter}`,
        ),
      );
      return finish();
    }
    checks.push(pass('format', `${e.info.subFilter}, one SignerInfo`));
    const cms = e.cms;
    const range = this.checkByteRange(e.info);
    checks.push(range);
    if (range.result === 'failed') return finish();

    const alg = cms.digestAlgorithm;
    if (!alg) {
      checks.push(fail('message-digest', 'TOTAL-FAILED', 'FORMAT_FAILURE', 'unsupported digest algorithm'));
      return finish();
    }
    const digest = this.rangeDigest(e.info, alg);
    const si = checkSignerInfo(cms, digest);
    checks.push(
      si.messageDigestMatches
        ? pass('message-digest', `${alg} of the signed byte ranges matches the message-digest attribute`)
        : fail(
            'message-digest',
            'TOTAL-FAILED',
            'HASH_FAILURE',
            'the signed bytes do not match the message-digest attribute (the document was altered)',
          ),
    );
    if (!si.messageDigestMatches) return finish();
    checks.push(
      si.signatureValid
        ? pass('signature-value', 'the signature over the signed attributes verifies with the signer key')
        : fail(
            'signature-value',
            'TOTAL-FAILED',
            'SIG_CRYPTO_FAILURE',
            si.detail ?? 'the signature value does not verify',
          ),
    );
    if (!si.signatureValid) return finish();
    const signerCert = new X509Certificate(cms.signerCertificate!);
    report.signer = summary(signerCert);
    const etsi = e.info.subFilter === 'ETSI.CAdES.detached';
    if (si.signingCertificate === 'mismatch')
      checks.push(
        fail(
          'signing-certificate-attribute',
          'INDETERMINATE',
          'NO_SIGNING_CERTIFICATE_FOUND',
          'the ESS signing-certificate attribute does not identify the signer certificate',
        ),
      );
    else if (si.signingCertificate === 'missing' && etsi)
      checks.push(
        fail(
          'signing-certificate-attribute',
          'TOTAL-FAILED',
          'FORMAT_FAILURE',
          'ETSI.CAdES.detached requires the signing-certificate-v2 attribute',
        ),
      );
    else
      checks.push(
        pass(
          'signing-certificate-attribute',
          si.signingCertificate === 'missing'
            ? 'no ESS signing-certificate attribute (not required for adbe.pkcs7.detached)'
            : `ESS ${si.signingCertificate === 'v2-match' ? 'signing-certificate-v2' : 'signing-certificate'} identifies the signer${si.hasSigningTimeAttribute && etsi ? '; note: a CMS signing-time attribute is present, which PAdES baseline excludes' : ''}`,
        ),
      );

    // What changed after this revision matters whatever the certificates say.
    checks.push(this.checkChanges(changes, certification, e));

    // Signature timestamp: proves the signature existed at genTime (B-T).
    let bestTime = poe;
    let hasValidSigTs = false;
    if (cms.signatureTimeStamps.length) {
      const imprintData = cms.signatureValue;
      const ts = await this.validateToken(
        cms.signatureTimeStamps[0],
        (a) => createHash(a).update(imprintData).digest(),
        poe,
        poeFromTimestamp,
      );
      report.timestamp = ts.summary;
      if (ts.summary.indication === 'TOTAL-PASSED') {
        hasValidSigTs = true;
        const g = new Date(ts.summary.genTime);
        if (g < bestTime) bestTime = g;
        checks.push(
          pass(
            'signature-timestamp',
            `signature time-stamp at ${ts.summary.genTime} by ${ts.summary.tsa?.subject ?? '?'}`,
          ),
        );
      } else {
        checks.push({
          name: 'signature-timestamp',
          result: 'failed',
          detail: `the signature time-stamp is not valid: ${ts.message} (the signature is judged without it)`,
        });
      }
    } else {
      checks.push(skip('signature-timestamp', 'no signature time-stamp (B-B)'));
    }
    report.provenTime = bestTime.toISOString();

    // Certificate path and its status at the best signature time.
    // PAdES level reached so far (EN 319 142-1 §6.2): B-T needs a proven time; B-LT and B-LTA are
    // decided once the revocation data is known to come from the file.
    let level: PadesLevel | 'NONE' = si.signingCertificate === 'v2-match' ? 'B-B' : 'NONE';
    if (level === 'B-B' && (hasValidSigTs || poeFromTimestamp)) level = 'B-T';
    report.level = level;
    const path = this.pool.buildPath(signerCert, this.anchors);
    if (!path) {
      checks.push(
        fail(
          'certificate-chain',
          'INDETERMINATE',
          'NO_CERTIFICATE_CHAIN_FOUND',
          `no path from ${describeCertificate(signerCert)} to a trust anchor`,
        ),
      );
      return finish();
    }
    checks.push(pass('certificate-chain', path.certificates.map(describeCertificate).join(' → ')));
    const validity = this.checkValidity(path, bestTime, bestTime);
    checks.push(validity);
    if (validity.result === 'failed') return finish();
    const revocation = await this.checkRevocation(path, bestTime, bestTime, 'require');
    checks.push(revocation.check);
    checks.push(this.checkAlgorithms(cms, signerCert));

    // PAdES level reached (EN 319 142-1 §6.2): B-T needs a proven time, B-LT the validation data
    // in the DSS, B-LTA a valid document timestamp over it.
    if (level === 'B-T' && revocation.embeddedOnly && this.doc.dss()) level = 'B-LT';
    if (level === 'B-LT' && laterDocTs !== undefined) level = 'B-LTA';
    report.level = level;
    return finish();
  }

  private async validateDocumentTimestamp(
    e: Entry,
    poe: Date,
    poeFromTimestamp: boolean,
    changes: RevisionChange[],
    certification: PdfSignatureInfo | undefined,
  ): Promise<EntryReport> {
    const checks: ValidationCheck[] = [];
    const report = this.baseReport(e, 'document-timestamp', changes);
    const finish = () => this.conclude(report, checks);
    if (!e.token) {
      checks.push(fail('format', 'TOTAL-FAILED', 'FORMAT_FAILURE', e.parseError ?? 'not an RFC 3161 token'));
      return finish();
    }
    checks.push(pass('format', 'ETSI.RFC3161 document timestamp'));
    const range = this.checkByteRange(e.info);
    checks.push(range);
    if (range.result === 'failed') return finish();
    const ts = await this.validateToken(
      e.info.contents,
      (a) => this.rangeDigest(e.info, a),
      poe,
      poeFromTimestamp,
    );
    report.timestamp = ts.summary;
    report.provenTime = ts.summary.genTime;
    checks.push(...ts.checks);
    if (ts.summary.tsa) report.signer = ts.summary.tsa;
    checks.push(this.checkChanges(changes, certification, e));
    report.level = 'B-LTA';
    return finish();
  }

  /**
   * An RFC 3161 token over data whose digest `digestOf` computes, proven to exist at `poe`:
   * cryptography and chain at genTime (the TSA module's verifier), then the TSA certificates must
   * still be valid and unrevoked at the time of the proof.
   */
  private async validateToken(
    der: Uint8Array,
    digestOf: (alg: 'sha256' | 'sha384' | 'sha512') => Uint8Array,
    poe: Date,
    poeFromTimestamp: boolean,
  ): Promise<{ summary: TimestampSummary; checks: ValidationCheck[]; message: string }> {
    const checks: ValidationCheck[] = [];
    let parsed: ParsedTimeStampToken;
    try {
      parsed = parseTimeStampToken(der);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      return {
        summary: {
          genTime: '',
          indication: 'TOTAL-FAILED',
          subIndication: 'FORMAT_FAILURE',
          provenBy: poe.toISOString(),
        },
        checks: [fail('timestamp-token', 'TOTAL-FAILED', 'FORMAT_FAILURE', msg)],
        message: msg,
      };
    }
    const alg =
      parsed.imprintAlgorithm === 'sha1' || !parsed.imprintAlgorithm ? undefined : parsed.imprintAlgorithm;
    const summary: TimestampSummary = {
      genTime: parsed.genTime.toISOString(),
      indication: 'TOTAL-PASSED',
      provenBy: poe.toISOString(),
    };
    const conclude = (c: ValidationCheck[]) => {
      const worst =
        c.find((x) => x.indication === 'TOTAL-FAILED') ?? c.find((x) => x.indication === 'INDETERMINATE');
      if (worst) {
        summary.indication = worst.indication!;
        summary.subIndication = worst.subIndication;
      }
      return { summary, checks: c, message: worst?.detail ?? 'valid' };
    };
    if (!alg) {
      checks.push(
        fail(
          'algorithms',
          'INDETERMINATE',
          'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
          `imprint algorithm ${parsed.imprintAlgorithm ?? '?'} is not acceptable (CRYPTREC)`,
        ),
      );
      return conclude(checks);
    }
    const digest = digestOf(alg);
    const key = `${Buffer.from(der).toString('base64').slice(-64)}:${Buffer.from(digest).toString('hex')}`;
    let verification = this.tokenCache.get(key);
    if (!verification) {
      verification = verifyTimeStampToken(der, {
        digest,
        hashAlgorithm: alg === 'sha256' ? 'SHA-256' : alg === 'sha384' ? 'SHA-384' : 'SHA-512',
        trustAnchors: this.options.trustAnchors,
        certificates: this.pool.authorities().map((c) => new Uint8Array(c.raw)),
        at: parsed.genTime,
      });
      this.tokenCache.set(key, verification);
    }
    const v = await verification;
    if (!v.valid) {
      const [indication, sub] = mapTokenFailure(v.subIndication);
      checks.push(fail('timestamp-token', indication, sub, v.message ?? 'the timestamp token is not valid'));
      return conclude(checks);
    }
    const tsaCert = new X509Certificate(v.info!.signerCertificate!);
    summary.tsa = summary_(tsaCert);
    checks.push(
      pass(
        'timestamp-token',
        `imprint, signature and chain at genTime ${summary.genTime} verified (${describeCertificate(tsaCert)})`,
      ),
    );
    const path = this.pool.buildPath(tsaCert, this.anchors);
    if (!path) {
      checks.push(
        fail(
          'certificate-chain',
          'INDETERMINATE',
          'NO_CERTIFICATE_CHAIN_FOUND',
          `no path from ${describeCertificate(tsaCert)} to a trust anchor`,
        ),
      );
      return conclude(checks);
    }
    const validity = this.checkValidity(path, parsed.genTime, poe);
    checks.push(validity);
    if (validity.result === 'failed') return conclude(checks);
    // The newest token is proven only by the validation time itself; its TSA's status is checked
    // when data exists (embedded or live) and otherwise reported as not checked.
    const revocation = await this.checkRevocation(
      path,
      parsed.genTime,
      poe,
      poeFromTimestamp ? 'require' : 'if-available',
    );
    checks.push(revocation.check);
    return conclude(checks);
  }

  // ---------------------------------------------------------------------------------------------

  private baseReport(e: Entry, type: EntryReport['type'], changes: RevisionChange[]): EntryReport {
    return {
      index: e.index,
      fieldName: e.info.fieldName,
      type,
      subFilter: e.info.subFilter,
      indication: 'TOTAL-PASSED',
      message: '',
      level: 'NONE',
      coversWholeFile: e.info.revisionEnd === this.doc.bytes.length,
      changesAfter: changes,
      checks: [],
    };
  }

  private conclude(report: EntryReport, checks: ValidationCheck[]): EntryReport {
    report.checks = checks;
    const worst =
      checks.find((c) => c.indication === 'TOTAL-FAILED') ??
      checks.find((c) => c.indication === 'INDETERMINATE');
    if (worst) {
      report.indication = worst.indication!;
      report.subIndication = worst.subIndication;
      report.message = worst.detail;
      if (report.indication === 'TOTAL-FAILED') report.level = 'NONE';
    } else {
      report.message =
        report.type === 'signature'
          ? `valid signature by ${report.signer?.subject ?? '?'}, proven at ${report.provenTime ?? '?'}`
          : `valid document timestamp at ${report.provenTime ?? '?'}`;
    }
    return report;
  }

  /** ISO 32000-1 §12.8.1: the ByteRange starts at 0 and leaves out exactly the /Contents string. */
  private checkByteRange(info: PdfSignatureInfo): ValidationCheck {
    const [a, b, c, d] = info.byteRange;
    const bytes = this.doc.bytes;
    const ok =
      a === 0 &&
      b > 0 &&
      c > b &&
      d >= 0 &&
      c + d <= bytes.length &&
      bytes[b] === 0x3c /* < */ &&
      bytes[c - 1] === 0x3e; /* > */
    if (!ok)
      return fail(
        'byte-range',
        'TOTAL-FAILED',
        'FORMAT_FAILURE',
        `the /ByteRange [${info.byteRange.join(' ')}] does not frame the /Contents string`,
      );
    const whole = c + d === bytes.length;
    return pass(
      'byte-range',
      whole
        ? 'covers the whole file except /Contents'
        : `covers the revision ending at byte ${c + d} of ${bytes.length}`,
    );
  }

  private rangeDigest(info: PdfSignatureInfo, alg: string): Buffer {
    const [a, b, c, d] = info.byteRange;
    const bytes = this.doc.bytes;
    return createHash(alg)
      .update(bytes.subarray(a, a + b))
      .update(bytes.subarray(c, c + d))
      .digest();
  }

  /**
   * Every certificate but the anchor must have been valid when used (`usedAt`) and still valid at
   * the time its use is proven (`provenAt`); after that, expiry no longer matters.
   */
  private checkValidity(path: CertificatePath, usedAt: Date, provenAt: Date): ValidationCheck {
    for (const cert of path.certificates) {
      if (cert === path.anchor) continue;
      const from = new Date(cert.validFrom);
      const to = new Date(cert.validTo);
      if (usedAt < from)
        return fail(
          'certificate-validity',
          'INDETERMINATE',
          'NOT_YET_VALID',
          `${describeCertificate(cert)} is not valid before ${from.toISOString()} (used at ${usedAt.toISOString()})`,
        );
      if (provenAt > to)
        return fail(
          'certificate-validity',
          'INDETERMINATE',
          'OUT_OF_BOUNDS_NO_POE',
          `${describeCertificate(cert)} expired on ${to.toISOString()} and nothing proves the ${provenAt === this.options.at ? 'signature existed before then (validation time ' + provenAt.toISOString() + ')' : 'use before ' + provenAt.toISOString()}`,
        );
    }
    return pass(
      'certificate-validity',
      `every certificate valid at ${usedAt.toISOString()}${provenAt.getTime() !== usedAt.getTime() ? ` and at the proof ${provenAt.toISOString()}` : ''}`,
    );
  }

  /**
   * Revocation of each certificate of the path except the anchor (RFC 5280 §6.3, RFC 6960):
   * a status issued at or after `usedAt`, or whose validity interval covers it, saying "good" or
   * "revoked after `provenAt`". Embedded data first; live sources only when configured.
   */
  private async checkRevocation(
    path: CertificatePath,
    usedAt: Date,
    provenAt: Date,
    policy: 'require' | 'if-available',
  ): Promise<{ check: ValidationCheck; embeddedOnly: boolean }> {
    let embeddedOnly = true;
    const notes: string[] = [];
    for (let i = 0; i < path.certificates.length - 1; i++) {
      const cert = path.certificates[i];
      if (cert === path.anchor) continue;
      const issuer = path.certificates[i + 1];
      let statuses = this.usable(this.store.statusesFor(cert, issuer), usedAt);
      if (!statuses.length && this.options.validationData && !this.liveAsked.has(cert.fingerprint256)) {
        this.liveAsked.add(cert.fingerprint256);
        const data: RevocationData = await this.options.validationData
          .revocationInfo(new Uint8Array(cert.raw), new Uint8Array(issuer.raw))
          .catch((): RevocationData => ({}));
        if (data.ocsp) this.store.addOcsp(data.ocsp, 'live');
        if (data.crl) this.store.addCrl(data.crl, 'live');
        statuses = this.usable(this.store.statusesFor(cert, issuer), usedAt);
      }
      const revoked = statuses.find(
        (s) => s.status === 'revoked' && s.revocationTime && s.revocationTime <= provenAt,
      );
      if (revoked)
        return {
          check: fail(
            'revocation',
            'INDETERMINATE',
            'REVOKED_NO_POE',
            `${describeCertificate(cert)} was revoked at ${revoked.revocationTime!.toISOString()} (${revoked.source}), before any proof of the signature's existence (${provenAt.toISOString()})`,
          ),
          embeddedOnly,
        };
      const good = statuses.find((s) => s.status === 'good' || s.status === 'revoked');
      if (!good) {
        if (policy === 'if-available') {
          notes.push(
            `${describeCertificate(cert)}: no revocation data (newest timestamp, proven only by the validation time)`,
          );
          embeddedOnly = false;
          continue;
        }
        return {
          check: fail(
            'revocation',
            'INDETERMINATE',
            'TRY_LATER',
            `no usable revocation data for ${describeCertificate(cert)} at ${usedAt.toISOString()} (embedded${this.options.validationData ? ' or live' : ''})`,
          ),
          embeddedOnly: false,
        };
      }
      if (good.origin === 'live') embeddedOnly = false;
      notes.push(
        `${describeCertificate(cert)}: not revoked (${good.source}, ${good.origin}, issued ${good.issuedAt.toISOString()})`,
      );
    }
    return {
      check: notes.some((n) => n.includes('no revocation data'))
        ? skip('revocation', notes.join('; '))
        : pass('revocation', notes.join('; ') || 'nothing to check'),
      embeddedOnly,
    };
  }

  /** Statuses fresh enough for `usedAt`: issued at or after it, or valid across it. */
  private usable(statuses: RevocationStatus[], usedAt: Date): RevocationStatus[] {
    return statuses.filter(
      (s) =>
        s.status !== 'unknown' &&
        (s.thisUpdate >= usedAt ||
          s.issuedAt >= usedAt ||
          (s.thisUpdate <= usedAt && s.nextUpdate !== undefined && s.nextUpdate >= usedAt) ||
          (s.status === 'revoked' && s.revocationTime !== undefined && s.revocationTime <= usedAt)),
    );
  }

  /** EC-14 (CRYPTREC e-Government list): SHA-1 and RSA keys under 2048 bits are not accepted. */
  private checkAlgorithms(cms: ParsedCms, cert: X509Certificate): ValidationCheck {
    if (cms.digestAlgorithm === 'sha1')
      return fail(
        'algorithms',
        'INDETERMINATE',
        'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
        'SHA-1 is not an acceptable digest (CRYPTREC)',
      );
    const details = cert.publicKey.asymmetricKeyDetails;
    if (cert.publicKey.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) < 2048)
      return fail(
        'algorithms',
        'INDETERMINATE',
        'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
        `RSA-${details?.modulusLength ?? '?'} is below the 2048-bit minimum (CRYPTREC)`,
      );
    return pass(
      'algorithms',
      `${cms.digestAlgorithm ?? '?'} with ${cert.publicKey.asymmetricKeyType ?? '?'}${details?.modulusLength ? `-${details.modulusLength}` : details?.namedCurve ? ` ${details.namedCurve}` : ''}`,
    );
  }

  private checkChanges(
    changes: RevisionChange[],
    certification: PdfSignatureInfo | undefined,
    e: Entry,
  ): ValidationCheck {
    // A certification signature restricts changes made after it; before it, it restricts nothing.
    const p =
      certification && certification.revisionEnd <= e.info.revisionEnd ? (certification.docMdp ?? 2) : 2;
    const allowed = ALLOWED_AFTER[p];
    const bad = changes.filter((c) => !allowed.has(c.kind));
    if (bad.length)
      return fail(
        'changes-after',
        'TOTAL-FAILED',
        'SIG_CONSTRAINTS_FAILURE',
        `changes after this ${e.info.type === 'Sig' ? 'signature' : 'timestamp'} are not allowed${certification ? ` (DocMDP P=${p})` : ''}: ${bad.map((c) => `${c.kind} — ${c.detail}`).join('; ')}`,
      );
    if (!changes.length) return pass('changes-after', 'no changes after this revision');
    const kinds = [...new Set(changes.map((c) => c.kind))];
    return pass('changes-after', `only allowed changes after it: ${kinds.join(', ')}`);
  }
}

function pass(name: CheckName, detail: string): ValidationCheck {
  return { name, result: 'passed', detail };
}
function skip(name: CheckName, detail: string): ValidationCheck {
  return { name, result: 'skipped', detail };
}
function fail(
  name: CheckName,
  indication: 'INDETERMINATE' | 'TOTAL-FAILED',
  subIndication: SubIndication,
  detail: string,
): ValidationCheck {
  return { name, result: 'failed', detail, indication, subIndication };
}

function summary(c: X509Certificate): CertificateSummary {
  return {
    subject: c.subject.replace(/\n/g, ', '),
    issuer: c.issuer.replace(/\n/g, ', '),
    serialNumber: c.serialNumber,
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
  };
}
const summary_ = summary;

function mapTokenFailure(
  sub: TimeStampSubIndication | undefined,
): ['INDETERMINATE' | 'TOTAL-FAILED', SubIndication] {
  switch (sub) {
    case TimeStampSubIndication.IMPRINT_MISMATCH:
    case TimeStampSubIndication.HASH_FAILURE:
      return ['TOTAL-FAILED', 'HASH_FAILURE'];
    case TimeStampSubIndication.SIG_CRYPTO_FAILURE:
      return ['TOTAL-FAILED', 'SIG_CRYPTO_FAILURE'];
    case TimeStampSubIndication.NONCE_MISMATCH:
    case TimeStampSubIndication.FORMAT_FAILURE:
    case undefined:
      return ['TOTAL-FAILED', 'FORMAT_FAILURE'];
    case TimeStampSubIndication.SIGNING_CERTIFICATE_MISMATCH:
    case TimeStampSubIndication.NO_SIGNING_CERTIFICATE_FOUND:
      return ['INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND'];
    case TimeStampSubIndication.NOT_TIMESTAMPING_CERTIFICATE:
      return ['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE'];
    case TimeStampSubIndication.OUT_OF_VALIDITY:
      return ['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE'];
    case TimeStampSubIndication.NO_CERTIFICATE_CHAIN_FOUND:
      return ['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND'];
  }
}
