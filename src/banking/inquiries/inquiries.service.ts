import { Inject, Injectable } from '@nestjs/common';
import { Between } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { tokyoDate } from '../../common/time/tokyo-time';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { Clock } from '../../platform/clock/clock';
import { AccountEntity } from '../accounts/account.entity';
import { AccountView, AccountsService } from '../accounts/accounts.service';
import { BankingErrorCode } from '../banking.errors';
import { addMonths, isValidDate } from '../calendar/domain/business-calendar';
import { CustomerPrincipal } from '../customers/customer-auth.service';
import { IbServiceAccountEntity } from '../customers/customer.entity';
import { PostingEntity } from '../ledger/journal.entity';
import { UnitOfWork } from '../ledger/unit-of-work';
import { TransfersService } from '../transfers/transfers.service';

export interface HistoryQuery {
  from?: string;
  to?: string;
  page?: number;
  pageSize?: number;
}

export interface HistoryLine {
  seq: number;
  date: string;
  businessDate: string;
  description: string;
  withdrawalYen: number | null;
  depositYen: number | null;
  balanceYen: number;
}

/**
 * Balance and history inquiries (BK-11; seed 003 §7). The answers are not certificates and may be
 * corrected later (§7-3(2)); the window is the bank's (BANKING_HISTORY_MONTHS).
 */
@Injectable()
export class InquiriesService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly accounts: AccountsService,
    private readonly transfers: TransfersService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async serviceAccounts(p: CustomerPrincipal): Promise<
    (AccountView & {
      limits: {
        perTransferYen: number;
        perDayYen: number;
        customerPerTransferYen: number | null;
        customerPerDayYen: number | null;
      };
    })[]
  > {
    const m = this.uow.dataSource.manager;
    const sas = await m
      .getRepository(IbServiceAccountEntity)
      .find({ where: { contractId: p.contractId }, order: { createdAt: 'ASC' } });
    const out = [];
    for (const sa of sas) {
      const a = await m.getRepository(AccountEntity).findOneByOrFail({ id: sa.accountId });
      const eff = this.transfers.limitsFor(sa);
      out.push({
        ...this.accounts.view(a),
        limits: {
          ...eff,
          customerPerTransferYen: sa.limitPerTransferYen,
          customerPerDayYen: sa.limitPerDayYen,
        },
      });
    }
    return out;
  }

  async account(p: CustomerPrincipal, accountId: string): Promise<AccountView> {
    await this.transfers.serviceAccount(this.uow.dataSource.manager, p.contractId, accountId);
    return this.accounts.view(await this.accounts.get(accountId));
  }

  window(q: HistoryQuery): { from: string; to: string } {
    const today = tokyoDate(this.clock.now());
    const earliest = addMonths(today, -this.config.BANKING_HISTORY_MONTHS);
    const to = q.to ?? today;
    const from = q.from ?? addMonths(to, -1);
    if (!isValidDate(from) || !isValidDate(to) || from > to || from < earliest || to > today)
      throw AppError.badRequest(
        BankingErrorCode.HISTORY_PERIOD_OUT_OF_RANGE,
        `照会期間は ${earliest} から ${today} までの範囲で、開始日が終了日以前になるよう指定してください。`,
        { earliest, latest: today },
      );
    return { from, to };
  }

  async history(p: CustomerPrincipal, accountId: string, q: HistoryQuery) {
    await this.transfers.serviceAccount(this.uow.dataSource.manager, p.contractId, accountId);
    const { from, to } = this.window(q);
    const pageSize = Math.min(Math.max(1, q.pageSize ?? 50), this.config.BANKING_HISTORY_PAGE_SIZE_MAX);
    const page = Math.max(1, q.page ?? 1);
    const [rows, total] = await this.uow.dataSource.getRepository(PostingEntity).findAndCount({
      where: { accountId, valueDate: this.between(from, to) },
      order: { accountSeq: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return {
      accountId,
      from,
      to,
      page,
      pageSize,
      total,
      pages: Math.ceil(total / pageSize),
      lines: rows.map(lineOf),
    };
  }

  async csv(
    p: CustomerPrincipal,
    accountId: string,
    q: HistoryQuery,
  ): Promise<{ filename: string; body: string }> {
    await this.transfers.serviceAccount(this.uow.dataSource.manager, p.contractId, accountId);
    const { from, to } = this.window(q);
    const a = await this.accounts.get(accountId);
    const rows = await this.uow.dataSource.getRepository(PostingEntity).find({
      where: { accountId, valueDate: this.between(from, to) },
      order: { accountSeq: 'ASC' },
    });
    const cell = (v: string | number | null) => {
      const s = v === null ? '' : String(v);
      // Quote everything; neutralise spreadsheet formulas (CSV injection).
      return `"${(/^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s).replace(/"/g, '""')}"`;
    };
    const lines = [['取引日', '勘定日', '摘要', 'お支払金額', 'お預り金額', '差引残高'].map(cell).join(',')];
    for (const r of rows.map(lineOf))
      lines.push(
        [r.date, r.businessDate, r.description, r.withdrawalYen, r.depositYen, r.balanceYen]
          .map(cell)
          .join(','),
      );
    // UTF-8 with BOM so that spreadsheet software opens Japanese text correctly.
    return {
      filename: `meisai_${a.branchCode}_${a.accountNumber}_${from}_${to}.csv`,
      body: `\ufeff${lines.join('\r\n')}\r\n`,
    };
  }

  private between(from: string, to: string) {
    return Between(from, to);
  }
}

function lineOf(r: PostingEntity): HistoryLine {
  return {
    seq: r.accountSeq ?? 0,
    date: r.valueDate,
    businessDate: r.businessDate,
    description: r.description,
    withdrawalYen: r.amountYen < 0 ? -r.amountYen : null,
    depositYen: r.amountYen > 0 ? r.amountYen : null,
    balanceYen: r.balanceAfterYen ?? 0,
  };
}
