import { AppError } from '../../common/errors/app-error';
import { ContractErrorCode } from '../contracts.errors';

/**
 * EC-16 (seed 000 §7(4)): the bank may throttle processing that burdens the service. Signing,
 * validating and archival time-stamping are CPU- and TSA-heavy, so at most `maxRunning` run at
 * once; up to `maxQueued` more wait their turn (FIFO) and any beyond that are refused at once with
 * 503 SIGNING_BUSY, before anything has changed, so the caller may simply retry.
 */
export class SigningThrottle {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly maxRunning: number,
    private readonly maxQueued: number,
  ) {}

  get stats(): { running: number; queued: number } {
    return { running: this.running, queued: this.queue.length };
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.maxRunning) {
      this.running++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(
        AppError.unavailable(
          ContractErrorCode.SIGNING_BUSY,
          '署名処理が混み合っています。しばらくしてから再度お試しください。',
        ),
      );
    }
    // The slot is handed over directly by release(), so `running` stays counted.
    return new Promise<void>((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }
}
