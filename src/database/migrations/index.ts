import { Platform1763800000000 } from './1763800000000-Platform';
import { Banking1763800005000 } from './1763800005000-Banking';
import { Contracts1763800006000 } from './1763800006000-Contracts';
import { Identity1763800001000 } from './1763800001000-Identity';
import { Pki1763800002000 } from './1763800002000-Pki';
import { Tsa1763800003000 } from './1763800003000-Tsa';
import { Archive1763800007000 } from './1763800007000-Archive';
import { AuditPending1763800008000 } from './1763800008000-AuditPending';
import { LoginKeySealed1763800009000 } from './1763800009000-LoginKeySealed';
import { TsaTokensImprintIndex1763800010000 } from './1763800010000-TsaTokensImprintIndex';
import { BankingExpectRows1763800011000 } from './1763800011000-BankingExpectRows';

/**
 * Every migration, in order. Add new ones at the end; never edit one that has been committed.
 * Each migration must run on SQLite and PostgreSQL (use migration.util's columnTypes).
 */
export const migrations = [
  Platform1763800000000,
  Identity1763800001000,
  Pki1763800002000,
  Tsa1763800003000,
  Banking1763800005000,
  Contracts1763800006000,
  Archive1763800007000,
  AuditPending1763800008000,
  LoginKeySealed1763800009000,
  TsaTokensImprintIndex1763800010000,
  BankingExpectRows1763800011000,
];
