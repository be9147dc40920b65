import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { MailSender } from '../../platform/mail/mail-sender';
import { UnitOfWork } from '../ledger/unit-of-work';
import { CustomerEntity, IbContractEntity } from '../customers/customer.entity';
import { TransferEntity } from './transfer.entity';

export type TransferNotice = 'executed' | 'scheduled' | 'failed' | 'returned' | 'cancelled';

const SUBJECT: Record<TransferNotice, string> = {
  executed: 'お振込・お振替を受け付けました',
  scheduled: 'お振込・お振替の予約を受け付けました',
  failed: 'お振込・お振替ができませんでした（処理不能）',
  returned: 'お振込が返却されました（入金不能）',
  cancelled: 'お振込・お振替を取り消しました',
};

/**
 * Customer emails about transfers (BK-21; seed 003 §6-4(1): returns are notified by email as
 * 処理不能). The one-time confirmation code goes only in its own message.
 */
@Injectable()
export class TransferNotices {
  private readonly logger = new Logger('TransferNotices');

  constructor(
    private readonly mail: MailSender,
    private readonly uow: UnitOfWork,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One query: the customer's address for a contract. */
  private async emailOf(contractId: string): Promise<string | undefined> {
    const row = await this.uow.dataSource
      .getRepository(CustomerEntity)
      .createQueryBuilder('cu')
      .innerJoin(IbContractEntity, 'c', 'c.customer_id = cu.id')
      .select('cu.email', 'email')
      .where('c.id = :contractId', { contractId })
      .getRawOne<{ email: string }>();
    return row?.email;
  }

  private describe(t: TransferEntity): string {
    return [
      `お取引: ${t.kind === 'furikae' ? '振替' : '振込'}`,
      `お受取人: ${t.payeeBankName} ${t.payeeBranchName} ${t.payeeAccountNumber} ${t.payeeNameKana}`,
      `金額: ${t.amountYen.toLocaleString('ja-JP')}円（手数料 ${t.feeYen.toLocaleString('ja-JP')}円）`,
      `実行日: ${t.executionDate}`,
      `受付番号: ${t.id}`,
    ].join('\n');
  }

  /**
   * `to`: the customer's address when the caller already read it with the contract (saves a query
   * per request and confirmation); looked up otherwise.
   */
  async sendCode(t: TransferEntity, code: string, to?: string): Promise<void> {
    to ??= await this.emailOf(t.contractId);
    if (!to) return;
    const minutes = Math.round(this.config.BANKING_CONFIRM_WINDOW_SECONDS / 60);
    await this.mail.send({
      to,
      tag: 'banking-transfer-code',
      subject: `【${this.config.BANK_NAME}】お振込確認コード`,
      text: `以下のお取引の確認コードは ${code} です。\n${minutes}分以内に確認画面で入力してください。\nこのお取引に心当たりがない場合は入力せず、当金庫へご連絡ください。\n\n${this.describe(t)}\n`,
    });
  }

  /** Best effort: a failed notice is logged, never undoes the money movement. */
  async send(t: TransferEntity, kind: TransferNotice, extra = '', to?: string): Promise<void> {
    try {
      to ??= await this.emailOf(t.contractId);
      if (!to) return;
      await this.mail.send({
        to,
        tag: `banking-transfer-${kind}`,
        subject: `【${this.config.BANK_NAME}】${SUBJECT[kind]}`,
        text: `${SUBJECT[kind]}。\n${extra ? `${extra}\n` : ''}\n${this.describe(t)}\n`,
      });
    } catch (e) {
      this.logger.warn(
        { transferId: t.id, kind, err: e instanceof Error ? e.message : String(e) },
        'transfer notice not sent',
      );
    }
  }
}
