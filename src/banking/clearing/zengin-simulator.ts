import { randomUUID } from 'node:crypto';
import { ClearingPort, ClearingReturn, OutgoingTransfer, PayeeLookup, PayeeQuery } from './clearing.port';

export interface SimulatorBehaviour {
  /** Accounts whose number ends with this are returned as 入金不能. */
  returnSuffix: string;
  /** Accounts whose number ends with this do not exist. */
  unknownSuffix: string;
  returnDelayMs: number;
}

/**
 * In-process Zengin network simulator (development, demo and tests). Every other bank account
 * exists with a deterministic kana name unless its number ends with the "unknown" suffix; sends
 * are accepted, and those to the "return" suffix come back as 入金不能 after the delay. Pending
 * returns live in memory: a restart forgets them (acceptable for a simulator only).
 */
export class ZenginSimulator extends ClearingPort {
  private readonly pending: { due: number; ret: ClearingReturn }[] = [];

  constructor(
    private readonly behaviour: SimulatorBehaviour,
    private readonly now: () => Date,
  ) {
    super();
  }

  lookupPayee(q: PayeeQuery): Promise<PayeeLookup> {
    if (q.accountNumber.endsWith(this.behaviour.unknownSuffix)) return Promise.resolve({ found: false });
    return Promise.resolve({ found: true, nameKana: simulatedName(q.accountNumber) });
  }

  send(t: OutgoingTransfer): Promise<{ reference: string }> {
    const reference = `SIM-${randomUUID()}`;
    if (t.accountNumber.endsWith(this.behaviour.returnSuffix)) {
      this.pending.push({
        due: this.now().getTime() + this.behaviour.returnDelayMs,
        ret: { transferId: t.transferId, reason: '入金不能（受取人口座なし）' },
      });
    }
    return Promise.resolve({ reference });
  }

  pollReturns(now: Date): Promise<ClearingReturn[]> {
    const due: ClearingReturn[] = [];
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (this.pending[i].due <= now.getTime()) due.unshift(this.pending.splice(i, 1)[0].ret);
    }
    return Promise.resolve(due);
  }
}

const FAMILY = ['ﾔﾏﾀﾞ', 'ｽｽﾞｷ', 'ﾀﾅｶ', 'ｻﾄｳ', 'ﾜﾀﾅﾍﾞ', 'ｲﾄｳ', 'ﾅｶﾑﾗ', 'ｺﾊﾞﾔｼ', 'ｶﾄｳ', 'ﾖｼﾀﾞ'];
const GIVEN = ['ﾀﾛｳ', 'ﾊﾅｺ', 'ｲﾁﾛｳ', 'ﾐｻｷ', 'ｹﾝｼﾞ', 'ﾕｳｺ', 'ｼﾞﾛｳ', 'ｱﾔｶ', 'ｻﾄｼ', 'ﾒｸﾞﾐ'];

function simulatedName(accountNumber: string): string {
  const n = Number(accountNumber);
  return `${FAMILY[n % 10]} ${GIVEN[Math.floor(n / 10) % 10]}`;
}
