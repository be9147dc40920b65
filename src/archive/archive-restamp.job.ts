import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ContractIntake } from './contract-intake.service';
import { RestampOriginals } from './restamp-originals.usecase';

/**
 * The scheduled re-timestamping run (ARCHIVE_RESTAMP_CRON, Asia/Tokyo; default 02:00 daily).
 * Only when SCHEDULER_ENABLED (never in the CLI or tests). Several instances may fire at once:
 * claims keep them from renewing the same original.
 */
@Injectable()
export class ArchiveRestampJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ArchiveRestampJob');
  private job: CronJob | undefined;
  private running = false;

  constructor(
    private readonly restamp: RestampOriginals,
    private readonly intake: ContractIntake,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.SCHEDULER_ENABLED) return;
    this.job = CronJob.from({
      cronTime: this.config.ARCHIVE_RESTAMP_CRON,
      timeZone: 'Asia/Tokyo',
      onTick: () => void this.tick(),
      start: true,
    });
  }

  onApplicationShutdown(): void {
    void this.job?.stop();
  }

  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const intake = await this.intake.syncCompleted();
      const r = await this.restamp.execute({ mode: 'due', trigger: 'schedule', actor: 'system' });
      this.logger.log(
        { imported: intake.imported, due: r.total, renewed: r.renewed, failed: r.failed, ms: r.durationMs },
        'archive re-stamping run finished',
      );
    } catch (e) {
      this.logger.error(
        { err: e instanceof Error ? e.message : String(e) },
        'archive re-stamping run failed',
      );
    } finally {
      this.running = false;
    }
  }
}
