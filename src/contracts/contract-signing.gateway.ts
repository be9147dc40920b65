import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, CommonErrorCode } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { Principal } from '../identity/auth/principal';
import {
  addDocumentTimestamp,
  addValidationData,
  padesLevel,
  PadesServices,
} from '../pades/domain/pades-signing';
import { PadesValidator } from '../pades/domain/pades-validator';
import { signatureSpec } from '../pades/domain/signature-spec';
import { KeyObjectSigner } from '../pades/domain/signer';
import { simpleReport } from '../pades/domain/validation-report';
import { PadesError } from '../pades/pades.errors';
import { PdfError } from '../pades/pdf/pdf-errors';
import { CertificateAuthority } from '../pki/certificate-authority.service';
import { SigningIdentityEntity } from '../pki/pki.entities';
import { UnlockSigningKey } from '../pki/unlock-signing-key.usecase';
import { Clock } from '../platform/clock/clock';
import { TimeStamper } from '../tsa/time-stamper';
import { pdfErrorToAppError } from './domain/contract-upload';

export type ValidationIndication = 'TOTAL-PASSED' | 'INDETERMINATE' | 'TOTAL-FAILED';

export interface DocumentValidation {
  indication: ValidationIndication;
  signatureCount: number;
  documentTimestampCount: number;
  /** The validator's simple report, stored as is for the auditor (EC-08). */
  report: Record<string, unknown>;
}

/**
 * The contract workflow's only door to keys and signatures: the PKI module unlocks keys with a
 * PIN (it counts wrong PINs and locks), the PAdES engine signs, extends and validates, the TSA
 * stamps. Nothing here writes to the contract tables; the use cases record the results.
 */
@Injectable()
export class ContractSigningGateway {
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * The PKI and TSA providers are looked up in the whole application (not imported by this
   * module), so the workflow boots — and refuses signing with 503 — in a deployment without them.
   */
  private provider<T>(token: abstract new (...args: never[]) => T): T {
    try {
      return this.moduleRef.get<T>(token, { strict: false });
    } catch {
      throw AppError.unavailable(
        CommonErrorCode.SERVICE_UNAVAILABLE,
        '署名機能が利用できません（PKI/TSA モジュールが構成されていません）。',
      );
    }
  }

  private get unlockKey(): UnlockSigningKey {
    return this.provider(UnlockSigningKey);
  }

  private get ca(): CertificateAuthority {
    return this.provider(CertificateAuthority);
  }

  private get timeStamper(): TimeStamper {
    return this.provider(TimeStamper);
  }

  private services(): PadesServices {
    return {
      timeStamper: this.timeStamper,
      validationData: { revocationInfo: (cert) => this.ca.revocationInfo(cert) },
      now: () => this.clock.now(),
      // The stored document grows with every signature; the upload limit applies to uploads only.
      maxPdfBytes: this.config.UPLOAD_LIMIT_BYTES * 2,
    };
  }

  /** Signing identities a bank signer may choose from (active only). */
  async signingIdentities(): Promise<{ id: string; label: string }[]> {
    const rows = await this.dataSource
      .getRepository(SigningIdentityEntity)
      .find({ where: { status: 'active' as SigningIdentityEntity['status'] }, order: { createdAt: 'ASC' } });
    return rows.map((r) => ({ id: r.id, label: r.displayName }));
  }

  /** EC-06: certification signature (DocMDP P=2) at B-T with the branch manager's identity. */
  async signAsBank(input: {
    pdf: Uint8Array;
    signingIdentityId: string;
    pin: string;
    operator: Principal;
    contractId: string;
  }): Promise<{ pdf: Uint8Array; signerName: string }> {
    const key = await this.unlockKey.unlockBankSigningIdentity({
      signingIdentityId: input.signingIdentityId,
      pin: input.pin,
      operator: { id: input.operator.id, roles: input.operator.kind === 'staff' ? input.operator.roles : [] },
      contractId: input.contractId,
    });
    const spec = signatureSpec({
      level: 'B-T',
      fieldName: 'Bank',
      name: key.subject,
      reason: '金銭消費貸借契約の締結（当金庫）',
      location: this.config.BANK_NAME,
      certify: { permission: 2 },
    });
    const r = await this.run(() =>
      padesLevel('B-T', this.services()).sign(
        input.pdf,
        spec,
        new KeyObjectSigner(key.privateKey, key.certificate, key.chain),
      ),
    );
    return { pdf: r.bytes, signerName: key.subject };
  }

  /** EC-05 step 4: approval signature at B-T with the subscriber's PIN-unlocked key. */
  async signAsParty(input: {
    pdf: Uint8Array;
    subscriberId: string;
    pin: string;
    contractId: string;
    order: number;
  }): Promise<{ pdf: Uint8Array; certificateSerial: string }> {
    const key = await this.unlockKey.unlock({
      subscriberId: input.subscriberId,
      pin: input.pin,
      actor: `subscriber:${input.subscriberId}`,
      purpose: { contractId: input.contractId },
    });
    const spec = signatureSpec({
      level: 'B-T',
      fieldName: `Party${input.order}`,
      name: key.subject,
      reason: '契約内容に同意し署名します',
    });
    const r = await this.run(() =>
      padesLevel('B-T', this.services()).sign(
        input.pdf,
        spec,
        new KeyObjectSigner(key.privateKey, key.certificate, key.chain),
      ),
    );
    return { pdf: r.bytes, certificateSerial: key.serialNumber };
  }

  /** EC-08: validates every signature and timestamp of the document against the service's roots. */
  async validate(pdf: Uint8Array): Promise<DocumentValidation> {
    const root = await this.ca.rootCertificate();
    const report = await this.run(() =>
      PadesValidator.validate(pdf, {
        trustAnchors: [root],
        at: this.clock.now(),
        validationData: { revocationInfo: (cert) => this.ca.revocationInfo(cert) },
        maxPdfBytes: this.config.UPLOAD_LIMIT_BYTES * 2,
      }),
    );
    const simple = simpleReport(report);
    return {
      indication: report.indication,
      signatureCount: report.entries.filter((e) => e.type !== 'document-timestamp').length,
      documentTimestampCount: report.entries.filter((e) => e.type === 'document-timestamp').length,
      report: simple as unknown as Record<string, unknown>,
    };
  }

  /** B-LTA: validation data (DSS) plus a document timestamp over the fully signed document. */
  async archive(pdf: Uint8Array): Promise<Uint8Array> {
    return this.run(async () => {
      const lt = await addValidationData(pdf, this.services());
      return (await addDocumentTimestamp(lt.bytes, this.services())).bytes;
    });
  }

  /** Engine errors keep their stable codes: PDF errors are 4xx, TSA/validation-data outages 503. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof PdfError) throw pdfErrorToAppError(e);
      if (e instanceof PadesError) {
        const unavailable = ['TIMESTAMP_UNAVAILABLE', 'VALIDATION_DATA_UNAVAILABLE'].includes(e.code);
        throw new AppError(
          e.code,
          unavailable ? 503 : 422,
          unavailable
            ? '署名処理に必要なサービス（タイムスタンプ等）に接続できません。しばらくしてから再度お試しください。'
            : `署名処理を完了できませんでした: ${e.message}`,
        );
      }
      throw e;
    }
  }
}
