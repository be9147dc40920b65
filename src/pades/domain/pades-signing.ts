import { hash, X509Certificate } from 'node:crypto';
import {
  TimeStamper,
  TimeStampRejectedError,
  TimeStampToken,
  TimeStampUnavailableError,
} from '../../tsa/time-stamper';
import { appendDss, prepareSignature, type PreparedSignature } from '../pdf/incremental-writer';
import { appendUpdate } from './append-buffer';
import { PdfDocument } from '../pdf/pdf-document';
import { PdfError, PdfErrorCode } from '../pdf/pdf-errors';
import { PadesError, PadesErrorCode } from '../pades.errors';
import { CmsSignatureBuilder, signatureTimeStampAttribute } from './cms-builder';
import { parseCms, parseTimeStampToken } from './cms-reader';
import { CertificatePool, certificateOf, describeCertificate, signedBy } from './certificate-path';
import { toTimeStampHash } from './oids';
import type { PadesLevel, PadesSignatureSpec } from './signature-spec';
import type { CmsSigner } from './signer';
import { RevocationStore } from './revocation';
import type { RevocationData, ValidationDataSource } from './validation-data';

/** Side effects the engine needs, as ports (pyHanko's signer / timestamper / validation context). */
export interface PadesServices {
  timeStamper?: TimeStamper;
  validationData?: ValidationDataSource;
  /** Business time for /M and certificate checks: the injected Clock, never `new Date()`. */
  now: () => Date;
  maxPdfBytes?: number;
  /** CA certificates known to the service (issuing CA, root) for building chains the file lacks. */
  certificates?: Uint8Array[];
}

/** One signature being made, as the level's steps see it. */
interface SigningContext {
  signer: CmsSigner;
  signedField: string;
  /** The TSA chain of this signature's timestamp (leaf first), once there is one. */
  timeStampCertificates: Uint8Array[];
  /** Revocation data already requested for this signature (B-LT and above). */
  validationData?: ValidationDataSource;
}

/** What a signing or extension step produced: the new file is `original` + `appended`. */
export interface PadesResult {
  bytes: Uint8Array;
  /** Field names added, in order. */
  fields: string[];
  /** Warnings that did not stop the operation (e.g. revocation data of a foreign signature). */
  warnings: string[];
}

const SIZE_MARGIN = 512;
const DEFAULT_TOKEN_SIZE_HINT = 6 * 1024;
const MAX_SIZING_ATTEMPTS = 3;

/**
 * PAdES baseline B-B (ETSI EN 319 142-1 §6.3): a staged session
 * prepare (size + placeholder) → digest (ByteRange hash) → sign (CmsSigner) → embed,
 * then the level's post-signature steps. Each higher level extends this class (EU DSS style).
 */
export class PadesBaselineB {
  readonly level: PadesLevel = 'B-B';
  /** Size of the last token seen, to size the next placeholder without guessing low. */
  protected tokenSizeHint = DEFAULT_TOKEN_SIZE_HINT;
  /** TSA chains returned with tokens during this session (a token may carry only its leaf). */
  protected readonly tsaCertificates: Uint8Array[] = [];

  constructor(protected readonly services: PadesServices) {}

  async sign(pdf: Uint8Array, spec: Readonly<PadesSignatureSpec>, signer: CmsSigner): Promise<PadesResult> {
    const doc = PdfDocument.load(pdf, { maxBytes: this.services.maxPdfBytes });
    const signingTime = this.services.now();
    const certificate = certificateOf(signer.certificate);
    checkSigningCertificate(certificate, signingTime);
    const name = spec.name ?? commonName(certificate);
    // The signer's parts of the CMS are encoded once: for sizing, then for the real digest.
    const probe = new CmsSignatureBuilder(signer, new Uint8Array(64));
    let contentsSize = this.estimateContentsSize(signer, probe);
    for (let attempt = 0; attempt < MAX_SIZING_ATTEMPTS; attempt++) {
      // Stage 1: prepare the field and the placeholder.
      const prepared = prepareSignature(doc, {
        type: 'Sig',
        subFilter: 'ETSI.CAdES.detached',
        contentsSize,
        fieldName: spec.fieldName,
        signingTime,
        name,
        reason: spec.reason,
        location: spec.location,
        contactInfo: spec.contactInfo,
        certify: spec.certify,
        visible: spec.visible,
      });
      // Stage 2: digest of the byte ranges; stage 3: sign the signed attributes.
      const builder = probe.withDigest(prepared.hash(signer.digestAlgorithm));
      const signature = await signer.sign(builder.toBeSigned);
      // Stage 4: unsigned attributes (B-T: the signature timestamp) and embedding.
      const ctx: SigningContext = { signer, signedField: prepared.fieldName, timeStampCertificates: [] };
      const unsigned = await this.unsignedAttributes(signature, ctx);
      const cms = builder.assemble(signature, unsigned);
      if (cms.length > prepared.contentsSize) {
        // Never write a truncated CMS: grow the placeholder and start over (new ranges, new hash).
        contentsSize = cms.length + SIZE_MARGIN * 2;
        continue;
      }
      await this.beforeEmbed(ctx);
      const bytes = embed(prepared, cms);
      const post = await this.postSignature(bytes, ctx);
      return { bytes: post.bytes, fields: [prepared.fieldName, ...post.fields], warnings: post.warnings };
    }
    throw new PadesError(PadesErrorCode.SIGNATURE_SIZING_FAILED, 'the signature did not fit its placeholder');
  }

  /** The CMS size with a maximum-length signature, plus what the level adds, plus a margin. */
  protected estimateContentsSize(signer: CmsSigner, probe: CmsSignatureBuilder): number {
    const base = probe.assemble(new Uint8Array(signer.maxSignatureLength).fill(0xff)).length;
    return base + this.unsignedReserve() + SIZE_MARGIN;
  }

  protected unsignedReserve(): number {
    return 0;
  }

  protected unsignedAttributes(
    _signature: Uint8Array,
    _ctx: SigningContext,
  ): Promise<ReturnType<typeof signatureTimeStampAttribute>[]> {
    return Promise.resolve([]);
  }

  /** Runs once the CMS is final, before the signed file is laid out in memory. */
  protected beforeEmbed(_ctx: SigningContext): Promise<void> {
    return Promise.resolve();
  }

  protected postSignature(bytes: Uint8Array, _ctx: SigningContext): Promise<PadesResult> {
    return Promise.resolve({ bytes, fields: [], warnings: [] });
  }

  protected requireTimeStamper(): TimeStamper {
    if (!this.services.timeStamper)
      throw new PadesError(
        PadesErrorCode.TIMESTAMP_UNAVAILABLE,
        `${this.level} needs a time-stamping authority`,
      );
    return this.services.timeStamper;
  }

  /** Asks the TSA for a token over `digest`, mapping its errors to the engine's codes. */
  protected async timestamp(digest: Uint8Array): Promise<TimeStampToken> {
    const tsa = this.requireTimeStamper();
    try {
      const token = await tsa.timestamp({ digest, hashAlgorithm: 'SHA-256', certReq: true });
      this.tokenSizeHint = Math.max(this.tokenSizeHint, token.der.length);
      this.tsaCertificates.push(...token.tsaCertificates);
      return token;
    } catch (e) {
      if (e instanceof TimeStampUnavailableError)
        throw new PadesError(
          PadesErrorCode.TIMESTAMP_UNAVAILABLE,
          `time-stamping authority unavailable: ${e.message}`,
        );
      if (e instanceof TimeStampRejectedError)
        throw new PadesError(PadesErrorCode.TIMESTAMP_REJECTED, `time-stamp token rejected: ${e.message}`, {
          reason: e.reason,
        });
      throw e;
    }
  }
}

/** B-T: adds a signature-time-stamp (RFC 3161 Appendix A) over the signature value. */
export class PadesBaselineT extends PadesBaselineB {
  override readonly level: PadesLevel = 'B-T';

  protected override unsignedReserve(): number {
    // The attribute wraps the token in SEQUENCE { OID, SET { token } } and grows the SignerInfo.
    return this.tokenSizeHint + 64;
  }

  protected override async unsignedAttributes(signature: Uint8Array, ctx: SigningContext) {
    const token = await this.timestamp(hash('sha256', signature, 'buffer'));
    ctx.timeStampCertificates = token.tsaCertificates;
    return [signatureTimeStampAttribute(token.der)];
  }
}

/** B-LT: after signing, a /DSS with the certificates and OCSP/CRL data of every chain in the file. */
export class PadesBaselineLT extends PadesBaselineT {
  override readonly level: PadesLevel = 'B-LT';

  /**
   * The revocation data of the new signature's chains (signer and TSA) is requested before the
   * signed file is laid out in memory: the signature and its timestamp exist already, so the
   * answers are the same as if asked after, but the memory the source takes meanwhile (the own CA
   * unlocks its OCSP key with a 19 MiB Argon2id the first time) is not added to the input and the
   * output of a large file held together. The DSS step takes these answers instead of asking again.
   */
  protected override async beforeEmbed(ctx: SigningContext): Promise<void> {
    await super.beforeEmbed(ctx);
    const source = this.services.validationData;
    if (!source) return;
    const prefetched = new PrefetchedRevocationData(source);
    const pool = new CertificatePool();
    pool.add(
      ctx.signer.certificate,
      ...ctx.signer.chain,
      ...ctx.timeStampCertificates,
      ...(this.services.certificates ?? []),
    );
    const candidates = pool.all();
    const now = this.services.now();
    const leaves = [ctx.signer.certificate, ...ctx.timeStampCertificates.slice(0, 1)];
    for (const leaf of leaves) {
      for (const link of chainOf(certificateOf(leaf), candidates)) {
        if (link.selfSigned || !link.issuer) break;
        // The DSS step asks for exactly these (see validationDataFor): unexpired, below the root.
        if (new Date(link.cert.validTo) >= now) await prefetched.request(link.cert, link.issuer);
      }
    }
    ctx.validationData = prefetched;
  }

  protected override async postSignature(bytes: Uint8Array, ctx: SigningContext) {
    const base = await super.postSignature(bytes, ctx);
    const extra = [ctx.signer.certificate, ...ctx.signer.chain, ...this.tsaCertificates];
    const services = ctx.validationData
      ? { ...this.services, validationData: ctx.validationData }
      : this.services;
    const r = await addValidationData(base.bytes, services, {
      strictFields: [ctx.signedField],
      extraCertificates: extra,
    });
    return { bytes: r.bytes, fields: base.fields, warnings: [...base.warnings, ...r.warnings] };
  }
}

/** B-LTA: after the DSS, a document timestamp over the whole file including it. */
export class PadesBaselineLTA extends PadesBaselineLT {
  override readonly level: PadesLevel = 'B-LTA';

  protected override async postSignature(bytes: Uint8Array, ctx: SigningContext) {
    const base = await super.postSignature(bytes, ctx);
    const r = await addDocumentTimestamp(base.bytes, this.services);
    return { bytes: r.bytes, fields: [...base.fields, ...r.fields], warnings: base.warnings };
  }
}

export function padesLevel(level: PadesLevel, services: PadesServices): PadesBaselineB {
  switch (level) {
    case 'B-B':
      return new PadesBaselineB(services);
    case 'B-T':
      return new PadesBaselineT(services);
    case 'B-LT':
      return new PadesBaselineLT(services);
    case 'B-LTA':
      return new PadesBaselineLTA(services);
  }
}

/**
 * Appends a document timestamp (ETSI EN 319 142-1 §5.4.3: /Type /DocTimeStamp,
 * /SubFilter /ETSI.RFC3161) covering the whole file as it is.
 */
export async function addDocumentTimestamp(
  pdf: Uint8Array,
  services: PadesServices,
  options: {
    fieldName?: string;
    tokenSizeHint?: number;
    /** A loaded document `pdf` may extend (its part is not parsed again, see PdfDocument.load). */
    base?: PdfDocument;
  } = {},
): Promise<PadesResult> {
  if (!services.timeStamper)
    throw new PadesError(
      PadesErrorCode.TIMESTAMP_UNAVAILABLE,
      'a document timestamp needs a time-stamping authority',
    );
  const doc = PdfDocument.load(pdf, { maxBytes: services.maxPdfBytes, extends: options.base });
  let contentsSize = (options.tokenSizeHint ?? DEFAULT_TOKEN_SIZE_HINT) + SIZE_MARGIN;
  for (let attempt = 0; attempt < MAX_SIZING_ATTEMPTS; attempt++) {
    const prepared = prepareSignature(doc, {
      type: 'DocTimeStamp',
      subFilter: 'ETSI.RFC3161',
      contentsSize,
      fieldName: options.fieldName,
    });
    const digest = prepared.hash('sha256');
    let token: TimeStampToken;
    try {
      token = await services.timeStamper.timestamp({
        digest,
        hashAlgorithm: toTimeStampHash('sha256'),
        certReq: true,
      });
    } catch (e) {
      if (e instanceof TimeStampUnavailableError)
        throw new PadesError(
          PadesErrorCode.TIMESTAMP_UNAVAILABLE,
          `time-stamping authority unavailable: ${e.message}`,
        );
      if (e instanceof TimeStampRejectedError)
        throw new PadesError(PadesErrorCode.TIMESTAMP_REJECTED, `time-stamp token rejected: ${e.message}`);
      throw e;
    }
    if (token.der.length > prepared.contentsSize) {
      contentsSize = token.der.length + SIZE_MARGIN;
      continue;
    }
    return { bytes: embed(prepared, token.der), fields: [prepared.fieldName], warnings: [] };
  }
  throw new PadesError(PadesErrorCode.SIGNATURE_SIZING_FAILED, 'the timestamp did not fit its placeholder');
}

/**
 * Adds a /DSS (ETSI EN 319 142-1 §5.4.2) with every certificate of every signature and
 * timestamp chain in the file and revocation data for each non-root certificate still valid now.
 * Data missing for a field named in `strictFields` refuses the operation; for others (e.g. a
 * foreign signature whose CRL URL is down) it becomes a warning.
 */
export async function addValidationData(
  pdf: Uint8Array,
  services: PadesServices,
  options: { strictFields?: string[]; extraCertificates?: Uint8Array[] } = {},
): Promise<PadesResult> {
  return validationDataFor(PdfDocument.load(pdf, { maxBytes: services.maxPdfBytes }), services, options);
}

/** addValidationData over a document already loaded (the archive renewal loads it once). */
async function validationDataFor(
  doc: PdfDocument,
  services: PadesServices,
  options: { strictFields?: string[]; extraCertificates?: Uint8Array[] },
): Promise<PadesResult> {
  const now = services.now();
  const pool = new CertificatePool();
  const existing = doc.dss();
  pool.add(
    ...(existing?.certs ?? []),
    ...(options.extraCertificates ?? []),
    ...(services.certificates ?? []),
  );
  const leaves: { cert: X509Certificate; field: string }[] = [];
  for (const sig of doc.signatures()) {
    try {
      if (sig.type === 'DocTimeStamp' || sig.subFilter === 'ETSI.RFC3161') {
        const tok = parseTimeStampToken(sig.contents);
        pool.add(...tok.cms.certificates);
        if (tok.cms.signerCertificate)
          leaves.push({ cert: certificateOf(tok.cms.signerCertificate), field: sig.fieldName });
        continue;
      }
      const cms = parseCms(sig.contents);
      pool.add(...cms.certificates);
      if (cms.signerCertificate)
        leaves.push({ cert: certificateOf(cms.signerCertificate), field: sig.fieldName });
      for (const t of cms.signatureTimeStamps) {
        const tok = parseTimeStampToken(t);
        pool.add(...tok.cms.certificates);
        if (tok.cms.signerCertificate)
          leaves.push({ cert: certificateOf(tok.cms.signerCertificate), field: sig.fieldName });
      }
    } catch {
      // An unreadable CMS is the validator's business; there is nothing to collect for it.
    }
  }
  const warnings: string[] = [];
  const certs = new Map<string, Uint8Array>();
  const ocsps: Uint8Array[] = [];
  const crls: Uint8Array[] = [];
  const asked = new Set<string>();
  const strict = new Set(options.strictFields ?? []);
  const candidates = pool.all();
  for (const leaf of leaves) {
    for (const { cert: current, issuer, selfSigned } of chainOf(leaf.cert, candidates)) {
      certs.set(current.fingerprint256, new Uint8Array(current.raw));
      if (selfSigned) break;
      if (!issuer) {
        const msg = `the issuer of ${describeCertificate(current)} is not available`;
        if (strict.has(leaf.field)) throw new PadesError(PadesErrorCode.VALIDATION_DATA_UNAVAILABLE, msg);
        warnings.push(msg);
        break;
      }
      const key = `${current.fingerprint256}`;
      const expired = new Date(current.validTo) < now;
      if (!asked.has(key) && !expired) {
        asked.add(key);
        const data = services.validationData
          ? await services.validationData.revocationInfo(
              new Uint8Array(current.raw),
              new Uint8Array(issuer.raw),
            )
          : {};
        if (data.ocsp) ocsps.push(data.ocsp);
        if (data.crl) crls.push(data.crl);
        if (strict.has(leaf.field)) refuseIfRevoked(current, issuer, data, now);
        if (!data.ocsp && !data.crl) {
          const msg = `no revocation data could be obtained for ${describeCertificate(current)}`;
          if (strict.has(leaf.field)) throw new PadesError(PadesErrorCode.VALIDATION_DATA_UNAVAILABLE, msg);
          warnings.push(msg);
        }
      }
    }
  }
  const appended = appendDss(doc, { certs: [...certs.values()], ocsps, crls });
  return { bytes: appendUpdate(doc.bytes, appended), fields: [], warnings };
}

/**
 * `leaf` and its issuers up to a self-signed root, at most 10 links, each with its issuer among
 * `candidates` (name and signature checked); a link without `issuer` ends the walk.
 */
function* chainOf(
  leaf: X509Certificate,
  candidates: X509Certificate[],
): Generator<{ cert: X509Certificate; issuer?: X509Certificate; selfSigned: boolean }> {
  let current = leaf;
  for (let depth = 0; depth < 10; depth++) {
    if (current.subject === current.issuer && signedBy(current, current)) {
      yield { cert: current, issuer: current, selfSigned: true };
      return;
    }
    const issuer = CertificatePool.findIssuer(current, candidates);
    yield { cert: current, issuer, selfSigned: false };
    if (!issuer) return;
    current = issuer;
  }
}

/**
 * Revocation answers requested ahead of the DSS step. Each is handed out once, to the first request
 * for the same certificate and issuer (DER); any other request goes to the source, as before. A
 * failed request is reported where the DSS step asks for it, exactly as if it had asked then.
 */
class PrefetchedRevocationData implements ValidationDataSource {
  private readonly answers = new Map<string, Promise<RevocationData>>();

  constructor(private readonly source: ValidationDataSource) {}

  async request(cert: X509Certificate, issuer: X509Certificate): Promise<void> {
    const key = pairKey(cert.raw, issuer.raw);
    if (this.answers.has(key)) return;
    const answer = this.source.revocationInfo(new Uint8Array(cert.raw), new Uint8Array(issuer.raw));
    this.answers.set(key, answer);
    await answer.catch(() => undefined);
  }

  revocationInfo(cert: Uint8Array, issuer: Uint8Array): Promise<RevocationData> {
    const key = pairKey(cert, issuer);
    const answer = this.answers.get(key);
    if (!answer) return this.source.revocationInfo(cert, issuer);
    this.answers.delete(key);
    return answer;
  }
}

function pairKey(cert: Uint8Array, issuer: Uint8Array): string {
  const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
  return `${b64(cert)}|${b64(issuer)}`;
}

/**
 * A certificate of the signature being made that its CA already reports as revoked must not end up
 * in a file that looks long-term valid: the operation is refused and nothing is written.
 */
function refuseIfRevoked(
  cert: X509Certificate,
  issuer: X509Certificate,
  data: RevocationData,
  now: Date,
): void {
  const store = new RevocationStore();
  if (data.ocsp) store.addOcsp(data.ocsp);
  if (data.crl) store.addCrl(data.crl);
  const revoked = store
    .statusesFor(cert, issuer)
    .find((s) => s.status === 'revoked' && s.revocationTime !== undefined && s.revocationTime <= now);
  if (revoked)
    throw new PadesError(
      PadesErrorCode.SIGNING_CERTIFICATE_INVALID,
      `${describeCertificate(cert)} was revoked at ${revoked.revocationTime!.toISOString()} (${revoked.source})`,
    );
}

/**
 * Archive renewal (pyHanko's update_archival_timestamp_chain; EC-09): validation data for the
 * chains already in the file (the previous timestamps' TSAs included) goes into the DSS, then a
 * new document timestamp covers it. Repeatable any number of times.
 */
export async function renewArchiveTimestamp(
  pdf: Uint8Array | PdfDocument,
  services: PadesServices,
): Promise<PadesResult> {
  const doc = pdf instanceof PdfDocument ? pdf : PdfDocument.load(pdf, { maxBytes: services.maxPdfBytes });
  if (!doc.signatures().length)
    throw new PadesError(
      PadesErrorCode.NOTHING_TO_EXTEND,
      'the document has no signature or timestamp to extend',
    );
  // The same parsed document: the bytes are immutable, loading them twice found the same objects.
  const withData = await validationDataFor(doc, services, {});
  // The DSS update only appends to `doc`: its cross-reference chain is reused, not parsed again.
  const ts = await addDocumentTimestamp(withData.bytes, services, { base: doc });
  return { bytes: ts.bytes, fields: ts.fields, warnings: withData.warnings };
}

/**
 * The signed file: the update is appended (one copy of the document, see appendUpdate) and the DER
 * written into the placeholder there, instead of into a copy of the update first.
 */
function embed(prepared: PreparedSignature, der: Uint8Array): Uint8Array {
  if (der.length > prepared.contentsSize) prepared.embed(der); // throws SIGNATURE_TOO_LARGE
  const bytes = appendUpdate(prepared.original, prepared.appended);
  prepared.writeContents(bytes, prepared.contentsOffset + 1, der);
  return bytes;
}

function checkSigningCertificate(cert: X509Certificate, at: Date): void {
  if (at < new Date(cert.validFrom) || at > new Date(cert.validTo))
    throw new PadesError(
      PadesErrorCode.SIGNING_CERTIFICATE_INVALID,
      `the signing certificate is not valid at ${at.toISOString()} (valid ${cert.validFrom} – ${cert.validTo})`,
    );
}

function commonName(cert: X509Certificate): string | undefined {
  return /CN=([^\n]+)/.exec(cert.subject)?.[1];
}

export { PdfError, PdfErrorCode };
