import { Injectable } from '@nestjs/common';

/**
 * Lines that a module wants shown once the service is listening (e.g. the bootstrap
 * administrator's login URL on first start). main.ts prints them to stdout, never to the log.
 */
@Injectable()
export class StartupNotices {
  private readonly lines: string[] = [];
  add(...lines: string[]): void {
    this.lines.push(...lines);
  }
  drain(): string[] {
    return this.lines.splice(0, this.lines.length);
  }
}
