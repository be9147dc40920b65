/**
 * The only source of "now" in the service. Production uses SystemClock; tests inject a
 * SettableClock to travel in time (certificate expiry, cutoffs, re-stamping years later).
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that starts at a given instant and moves only when told (or ticks with real time). */
export class SettableClock extends Clock {
  private offsetMs: number;
  constructor(
    start: Date = new Date(),
    private readonly ticking = false,
  ) {
    super();
    this.offsetMs = start.getTime() - (ticking ? Date.now() : 0);
  }
  now(): Date {
    return new Date(this.ticking ? Date.now() + this.offsetMs : this.offsetMs);
  }
  set(at: Date): void {
    this.offsetMs = at.getTime() - (this.ticking ? Date.now() : 0);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
