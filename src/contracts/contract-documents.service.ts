import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { sha256Hex } from '../common/crypto/secrets';
import { AppError } from '../common/errors/app-error';
import { FileStore } from '../platform/file-store/file-store';
import { ContractDocumentEntity, DocumentVersionKind } from './contract.entity';
import { ContractErrorCode } from './contracts.errors';
import type { DocumentValidation } from './contract-signing.gateway';

/**
 * Every version of a contract's PDF lives in the content-addressed FileStore; the tables keep its
 * SHA-256. Reads re-hash the bytes, so a changed file is noticed instead of served.
 */
@Injectable()
export class ContractDocuments {
  constructor(@Inject(FileStore) private readonly store: FileStore) {}

  /** Writes the bytes (idempotent: same bytes, same name) before the transaction records them. */
  async put(pdf: Uint8Array): Promise<{ sha256: string; size: number }> {
    return this.store.put(pdf);
  }

  async read(sha256: string): Promise<Buffer> {
    let bytes: Buffer;
    try {
      bytes = await this.store.get(sha256);
    } catch {
      throw integrityFailed();
    }
    if (sha256Hex(bytes) !== sha256) throw integrityFailed();
    return bytes;
  }

  async record(
    m: EntityManager,
    v: {
      contractId: string;
      version: number;
      kind: DocumentVersionKind;
      sha256: string;
      size: number;
      createdBy: string;
      at: Date;
      validation?: DocumentValidation;
    },
  ): Promise<void> {
    const repo = m.getRepository(ContractDocumentEntity);
    await repo.save(
      repo.create({
        id: randomUUID(),
        contractId: v.contractId,
        version: v.version,
        kind: v.kind,
        sha256: v.sha256,
        sizeBytes: v.size,
        createdBy: v.createdBy,
        createdAt: v.at,
        validationIndication: v.validation?.indication ?? null,
        validationReport: v.validation?.report ?? null,
      }),
    );
  }
}

function integrityFailed(): AppError {
  return new AppError(
    ContractErrorCode.DOCUMENT_INTEGRITY_FAILED,
    500,
    '保管されている契約書ファイルを確認できませんでした。当金庫にお問い合わせください。',
  );
}
