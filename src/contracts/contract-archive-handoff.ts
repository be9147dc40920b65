import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ContractIntake } from '../archive/contract-intake.service';

/**
 * After completion the original goes to the archive module (seed 000 §13: retention, re-stamping).
 * The archive's own intake does the mapping, so it lives in one place; calling it right away makes
 * the original appear in the archive at once, and the archive's periodic intake remains the safety
 * net if this call fails or the archive module is not part of the deployment.
 */
@Injectable()
export class ContractArchiveHandoff {
  private readonly logger = new Logger(ContractArchiveHandoff.name);

  constructor(private readonly moduleRef: ModuleRef) {}

  async handOver(contractId: string): Promise<void> {
    let intake: ContractIntake;
    try {
      intake = this.moduleRef.get(ContractIntake, { strict: false });
    } catch {
      return;
    }
    try {
      const r = await intake.syncCompleted(50);
      if (r.failed.some((f) => f.contractId === contractId)) {
        this.logger.warn(
          { contractId },
          'archive intake refused the original; its periodic intake will retry',
        );
      }
    } catch (e) {
      this.logger.warn(
        { contractId, err: e instanceof Error ? e.message : String(e) },
        'archive intake failed',
      );
    }
  }
}
