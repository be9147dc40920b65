import { Inject, Injectable } from '@nestjs/common';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { CertificateAuthority } from '../pki/certificate-authority.service';
import { Clock } from '../platform/clock/clock';
import { HttpTimeStamper } from '../tsa/http-time-stamper';
import { TimeStamper } from '../tsa/time-stamper';
import { loadTrustFiles } from '../tsa/tsa-trust';
import { HttpValidationDataSource } from './domain/http-validation-data-source';
import {
  padesLevel,
  PadesResult,
  PadesServices,
  renewArchiveTimestamp,
  addDocumentTimestamp,
} from './domain/pades-signing';
import { PadesValidator } from './domain/pades-validator';
import type { PadesSignatureSpec } from './domain/signature-spec';
import type { CmsSigner } from './domain/signer';
import { CompositeValidationDataSource, ValidationDataSource } from './domain/validation-data';
import type { ValidationReport } from './domain/validation-report';
import { PadesError, PadesErrorCode } from './pades.errors';
import { PdfDocument } from './pdf/pdf-document';
import { PdfError, PdfErrorCode } from './pdf/pdf-errors';
import { PkiValidationDataSource } from './pki-validation-data.source';

/**
 * The PAdES engine wired to the service: the TSA port (own TSA or an RFC 3161 URL), revocation
 * data from the own CA or the certificates' URLs, the injected Clock and the size limit. The
 * contract workflow, the archive and the CLI all sign, extend and validate through here.
 */
@Injectable()
export class PadesEngine {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Clock) private readonly clock: Clock,
    private readonly timeStamper: TimeStamper,
    private readonly ca: CertificateAuthority,
  ) {}

  /** Own CA first, then the certificate's own OCSP/CRL URLs (foreign certificates). */
  validationData(): ValidationDataSource {
    return new CompositeValidationDataSource([
      new PkiValidationDataSource(this.ca),
      new HttpValidationDataSource({
        timeoutMs: this.config.PADES_REVOCATION_TIMEOUT_MS,
        maxBytes: this.config.PADES_REVOCATION_MAX_BYTES,
      }),
    ]);
  }

  async services(options: { tsaUrl?: string } = {}): Promise<PadesServices> {
    return {
      certificates: [await this.ca.issuingCaCertificate(), await this.ca.rootCertificate()],
      timeStamper: options.tsaUrl ? this.httpTimeStamper(options.tsaUrl) : this.timeStamper,
      validationData: this.validationData(),
      now: () => this.clock.now(),
      maxPdfBytes: this.config.PADES_MAX_PDF_BYTES,
    };
  }

  async sign(
    pdf: Uint8Array,
    spec: Readonly<PadesSignatureSpec>,
    signer: CmsSigner,
    options: { tsaUrl?: string } = {},
  ): Promise<PadesResult> {
    const services = await this.services(options);
    try {
      return await padesLevel(spec.level, services).sign(pdf, spec, signer);
    } finally {
      closeTimeStamper(services);
    }
  }

  /** DSS for everything in the file, then a document timestamp (archive renewal, EC-09). */
  async timestamp(pdf: Uint8Array, options: { tsaUrl?: string } = {}): Promise<PadesResult> {
    const services = await this.services(options);
    try {
      const doc = PdfDocument.load(pdf, { maxBytes: services.maxPdfBytes });
      if (!doc.signatures().length) return await addDocumentTimestamp(pdf, services);
      return await renewArchiveTimestamp(pdf, services);
    } finally {
      closeTimeStamper(services);
    }
  }

  /**
   * Validates against the service's root plus `extraTrust` (DER) and PADES_TRUST_ANCHORS.
   * At the present time missing revocation data is fetched live; at a given time (`at`) only the
   * data embedded in the file counts.
   */
  async verify(
    pdf: Uint8Array,
    options: { extraTrust?: Uint8Array[]; at?: Date; offline?: boolean } = {},
  ): Promise<ValidationReport> {
    const anchors = [
      await this.ca.rootCertificate(),
      ...(await this.configuredAnchors()),
      ...(options.extraTrust ?? []),
    ];
    const offline = options.offline ?? options.at !== undefined;
    return PadesValidator.validate(pdf, {
      trustAnchors: anchors,
      at: options.at ?? this.clock.now(),
      validationData: offline ? undefined : this.validationData(),
      maxPdfBytes: this.config.PADES_MAX_PDF_BYTES,
    });
  }

  private async configuredAnchors(): Promise<Uint8Array[]> {
    if (!this.config.PADES_TRUST_ANCHORS) return [];
    const out: Uint8Array[] = [];
    for (const file of this.config.PADES_TRUST_ANCHORS.split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      out.push(...(await readCertificates(path.resolve(file))));
    return out;
  }

  private httpTimeStamper(url: string): HttpTimeStamper {
    if (!/^https?:\/\/\S+$/.test(url))
      throw new PadesError(PadesErrorCode.INVALID_REQUEST, '--tsa-url must be an http:// or https:// URL');
    return new HttpTimeStamper({
      url,
      timeoutMs: this.config.TSA_TIMEOUT_MS,
      retries: this.config.TSA_RETRIES,
      trust: async () =>
        this.config.TSA_TRUST_ANCHORS
          ? loadTrustFiles(this.config.TSA_TRUST_ANCHORS)
          : { anchors: [await this.ca.rootCertificate()], certificates: [] },
    });
  }
}

function closeTimeStamper(services: PadesServices): void {
  if (services.timeStamper instanceof HttpTimeStamper) services.timeStamper.close();
}

/** Reads PEM (one or more certificates) or DER certificate files. */
export async function readCertificates(file: string): Promise<Uint8Array[]> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    throw new PadesError(
      PadesErrorCode.INVALID_REQUEST,
      `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const text = data.toString('latin1');
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  const ders = blocks.length
    ? blocks.map((m) => new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')))
    : [new Uint8Array(data)];
  for (const d of ders) {
    try {
      new X509Certificate(d);
    } catch {
      throw new PadesError(PadesErrorCode.INVALID_REQUEST, `${file} does not hold a certificate`);
    }
  }
  return ders;
}

/** Maps engine and PDF-layer errors to the service's one error shape (never a 500 for bad input). */
export function padesErrorToAppError(e: unknown): unknown {
  if (e instanceof PdfError) {
    const status = e.code === PdfErrorCode.PDF_TOO_LARGE ? 413 : 422;
    return new AppError(e.code, status, pdfMessage(e), e.details);
  }
  if (e instanceof PadesError) {
    const status =
      e.code === PadesErrorCode.TIMESTAMP_UNAVAILABLE || e.code === PadesErrorCode.VALIDATION_DATA_UNAVAILABLE
        ? 503
        : e.code === PadesErrorCode.INVALID_REQUEST || e.code === PadesErrorCode.PKCS12_INVALID
          ? 400
          : 422;
    return new AppError(e.code, status, e.message, e.details);
  }
  return e;
}

function pdfMessage(e: PdfError): string {
  switch (e.code) {
    case PdfErrorCode.PDF_MALFORMED:
      return `PDF ファイルとして読み取れません（${e.message}）`;
    case PdfErrorCode.PDF_ENCRYPTED:
      return '暗号化された PDF には署名できません。';
    case PdfErrorCode.PDF_SIGNING_FORBIDDEN:
      return 'この PDF は変更禁止（DocMDP P=1）で証明署名されているため、署名を追加できません。';
    case PdfErrorCode.PDF_TOO_LARGE:
      return `PDF のサイズが上限を超えています（${e.message}）`;
    case PdfErrorCode.SIGNATURE_TOO_LARGE:
    case PdfErrorCode.PDF_SIGNATURE_FIELD_INVALID:
      return e.message;
  }
}
