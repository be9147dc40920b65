import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { TransferExecutionService } from '../transfers/transfer-execution.service';

/**
 * Runs the transfer job every BANKING_JOB_INTERVAL_SECONDS when SCHEDULER_ENABLED (never in the
 * CLI or tests, which call TransferExecutionService.runDue directly).
 */
@Injectable()
export class BankingJobs implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('BankingJobs');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly execution: TransferExecutionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.SCHEDULER_ENABLED) return;
    this.timer = setInterval(() => void this.tick(), this.config.BANKING_JOB_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    try {
      const r = await this.execution.runDue();
      if (r.executed + r.failed + r.returned + r.expired + r.cancelled > 0)
        this.logger.log({ ...r }, 'banking job pass');
    } catch (e) {
      this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'banking job pass failed');
    }
  }
}
