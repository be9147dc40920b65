import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, In } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { hashPassword } from '../../common/crypto/secrets';
import { tokyoDate } from '../../common/time/tokyo-time';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditLog } from '../../platform/audit/audit-log';
import { Clock } from '../../platform/clock/clock';
import { AccountEntity } from '../accounts/account.entity';
import { BankingErrorCode } from '../banking.errors';
import { addMonths, isValidDate } from '../calendar/domain/business-calendar';
import { UnitOfWork, isUniqueViolation } from '../ledger/unit-of-work';
import { normaliseNameKana } from '../transfers/domain/kana';
import { TransferEntity } from '../transfers/transfer.entity';
import {
  ContractStatus,
  CustomerEntity,
  IbContractEntity,
  IbServiceAccountEntity,
  IbSessionEntity,
} from './customer.entity';

export interface RegisterCustomerCommand {
  nameKanji: string;
  nameKana: string;
  birthDate: string;
  email: string;
}

export interface RegisterContractCommand {
  customerId: string;
  representativeAccountId: string;
  serviceAccountIds?: string[];
  loginId: string;
  password: string;
}

const LOGIN_ID = /^[A-Za-z0-9._-]+$/;

/** Customers and their internet-banking contracts (BK-01, BK-16, BK-18). */
@Injectable()
export class ContractsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async registerCustomer(cmd: RegisterCustomerCommand, actor: string): Promise<CustomerEntity> {
    if (!isValidDate(cmd.birthDate))
      throw AppError.badRequest(
        BankingErrorCode.CUSTOMER_TOO_YOUNG,
        '生年月日は YYYY-MM-DD で入力してください。',
      );
    const today = tokyoDate(this.clock.now());
    // seed 003 §1-1: individuals aged 18 or older at application.
    if (addMonths(cmd.birthDate, 12 * this.config.BANKING_MIN_AGE) > today)
      throw AppError.unprocessable(
        BankingErrorCode.CUSTOMER_TOO_YOUNG,
        `本サービスは${this.config.BANKING_MIN_AGE}歳以上の個人の方に限りお申込みいただけます。`,
      );
    const kana = normaliseNameKana(cmd.nameKana);
    if (!kana)
      throw AppError.badRequest(BankingErrorCode.INVALID_NAME_KANA, '氏名（カナ）はカナで入力してください。');
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(cmd.email))
      throw AppError.badRequest('VALIDATION_FAILED', 'メールアドレスの形式が正しくありません。');
    return this.uow.run(async (m) => {
      const c: CustomerEntity = {
        id: randomUUID(),
        nameKanji: cmd.nameKanji.trim(),
        nameKana: kana,
        birthDate: cmd.birthDate,
        email: cmd.email.trim(),
        createdAt: this.clock.now(),
      };
      await m.insert(CustomerEntity, c);
      await this.audit.append(
        { actor, action: 'banking.customer.registered', subject: `bk-customer:${c.id}` },
        m,
      );
      return c;
    });
  }

  async registerContract(cmd: RegisterContractCommand, actor: string): Promise<IbContractEntity> {
    if (
      cmd.loginId.length < this.config.BANKING_LOGIN_ID_MIN_LENGTH ||
      cmd.loginId.length > 64 ||
      !LOGIN_ID.test(cmd.loginId)
    )
      throw AppError.badRequest(
        BankingErrorCode.LOGIN_ID_TOO_SHORT,
        `ログインIDは${this.config.BANKING_LOGIN_ID_MIN_LENGTH}文字以上の英数字で指定してください。`,
      );
    // seed 003 §3-4: at least the bank's minimum length.
    if (cmd.password.length < this.config.BANKING_PASSWORD_MIN_LENGTH || cmd.password.length > 128)
      throw AppError.badRequest(
        BankingErrorCode.PASSWORD_TOO_SHORT,
        `パスワードは${this.config.BANKING_PASSWORD_MIN_LENGTH}文字以上で指定してください。`,
      );
    const passwordHash = await hashPassword(cmd.password);
    try {
      return await this.uow.run(async (m) => {
        const customer = await m.getRepository(CustomerEntity).findOneBy({ id: cmd.customerId });
        if (!customer)
          throw AppError.notFound(BankingErrorCode.CUSTOMER_NOT_FOUND, 'お客さまが見つかりません。');
        const ids = [cmd.representativeAccountId, ...(cmd.serviceAccountIds ?? [])].filter(
          (v, i, a) => a.indexOf(v) === i,
        );
        if (ids.length > this.config.BANKING_MAX_SERVICE_ACCOUNTS)
          throw AppError.unprocessable(
            BankingErrorCode.TOO_MANY_SERVICE_ACCOUNTS,
            `サービス利用口座は${this.config.BANKING_MAX_SERVICE_ACCOUNTS}口座までです。`,
          );
        const accounts = await m.getRepository(AccountEntity).findBy({ id: In(ids), kind: 'deposit' });
        const rep = accounts.find((a) => a.id === cmd.representativeAccountId);
        // BK-01: representative account is 普通 or 当座; service accounts at the same branch, same name.
        if (
          !rep ||
          rep.status !== 'open' ||
          !['1', '2'].includes(rep.accountType) ||
          rep.customerId !== customer.id
        )
          throw AppError.unprocessable(
            BankingErrorCode.SERVICE_ACCOUNT_NOT_ELIGIBLE,
            '代表口座は契約者名義の普通預金または当座預金（解約済みでないもの）です。',
          );
        for (const id of ids) {
          const a = accounts.find((x) => x.id === id);
          if (!a || a.status !== 'open' || a.customerId !== customer.id || a.branchCode !== rep.branchCode)
            throw AppError.unprocessable(
              BankingErrorCode.SERVICE_ACCOUNT_NOT_ELIGIBLE,
              'サービス利用口座は代表口座と同一店舗・同一名義の口座に限ります。',
              { accountId: id },
            );
        }
        const now = this.clock.now();
        const today = tokyoDate(now);
        const contract: IbContractEntity = {
          id: randomUUID(),
          customerId: customer.id,
          representativeAccountId: rep.id,
          loginId: cmd.loginId,
          passwordHash,
          failedLogins: 0,
          lockedAt: null,
          status: 'active',
          termStart: today,
          termEnd: addMonths(today, this.config.BANKING_CONTRACT_TERM_MONTHS),
          payeeCheckStrikes: 0,
          payeeCheckLockedAt: null,
          lastLoginAt: null,
          createdAt: now,
          updatedAt: now,
        };
        await m.insert(IbContractEntity, contract);
        await m.insert(
          IbServiceAccountEntity,
          ids.map((accountId) => ({
            id: randomUUID(),
            contractId: contract.id,
            accountId,
            limitPerTransferYen: null,
            limitPerDayYen: null,
            createdAt: now,
          })),
        );
        await this.audit.append(
          {
            actor,
            action: 'banking.contract.registered',
            subject: `bk-contract:${contract.id}`,
            details: { customerId: customer.id, accounts: ids.length },
          },
          m,
        );
        return contract;
      });
    } catch (e) {
      if (isUniqueViolation(e))
        throw AppError.conflict(BankingErrorCode.LOGIN_ID_TAKEN, 'そのログインIDはすでに使われています。');
      throw e;
    }
  }

  /** BK-01: registers another service account (same branch and name, up to the set count). */
  async addServiceAccount(
    contractId: string,
    accountId: string,
    actor: string,
  ): Promise<IbServiceAccountEntity> {
    try {
      return await this.uow.run(async (m) => {
        const c = await this.get(contractId, m);
        const rep = await m.getRepository(AccountEntity).findOneByOrFail({ id: c.representativeAccountId });
        const a = await m.getRepository(AccountEntity).findOneBy({ id: accountId, kind: 'deposit' });
        if (!a || a.status !== 'open' || a.customerId !== c.customerId || a.branchCode !== rep.branchCode)
          throw AppError.unprocessable(
            BankingErrorCode.SERVICE_ACCOUNT_NOT_ELIGIBLE,
            'サービス利用口座は代表口座と同一店舗・同一名義の口座に限ります。',
            { accountId },
          );
        const count = await m.getRepository(IbServiceAccountEntity).countBy({ contractId });
        if (count >= this.config.BANKING_MAX_SERVICE_ACCOUNTS)
          throw AppError.unprocessable(
            BankingErrorCode.TOO_MANY_SERVICE_ACCOUNTS,
            `サービス利用口座は${this.config.BANKING_MAX_SERVICE_ACCOUNTS}口座までです。`,
          );
        const sa: IbServiceAccountEntity = {
          id: randomUUID(),
          contractId,
          accountId,
          limitPerTransferYen: null,
          limitPerDayYen: null,
          createdAt: this.clock.now(),
        };
        await m.insert(IbServiceAccountEntity, sa);
        await this.audit.append(
          {
            actor,
            action: 'banking.contract.service-account-added',
            subject: `bk-contract:${contractId}`,
            details: { accountId },
          },
          m,
        );
        return sa;
      });
    } catch (e) {
      if (isUniqueViolation(e))
        throw AppError.conflict(BankingErrorCode.SERVICE_ACCOUNT_NOT_ELIGIBLE, 'すでに登録済みの口座です。');
      throw e;
    }
  }

  async get(id: string, m: EntityManager = this.uow.dataSource.manager): Promise<IbContractEntity> {
    const c = await m.getRepository(IbContractEntity).findOneBy({ id });
    if (!c) throw AppError.notFound(BankingErrorCode.CONTRACT_NOT_FOUND, '契約が見つかりません。');
    return c;
  }

  async byLoginId(loginId: string): Promise<IbContractEntity> {
    const c = await this.uow.dataSource.getRepository(IbContractEntity).findOneBy({ loginId });
    if (!c) throw AppError.notFound(BankingErrorCode.CONTRACT_NOT_FOUND, '契約が見つかりません。');
    return c;
  }

  customerOf(
    contract: IbContractEntity,
    m: EntityManager = this.uow.dataSource.manager,
  ): Promise<CustomerEntity> {
    return m.getRepository(CustomerEntity).findOneByOrFail({ id: contract.customerId });
  }

  serviceAccounts(
    contractId: string,
    m: EntityManager = this.uow.dataSource.manager,
  ): Promise<IbServiceAccountEntity[]> {
    return m
      .getRepository(IbServiceAccountEntity)
      .find({ where: { contractId }, order: { createdAt: 'ASC' } });
  }

  /** Staff: unlock the login after a lockout (seed 003 §3-9) and/or the payee check (BK-10). */
  async unlock(
    id: string,
    what: { login?: boolean; payeeCheck?: boolean },
    actor: string,
  ): Promise<IbContractEntity> {
    return this.uow.run(async (m) => {
      const c = await this.get(id, m);
      const patch: Partial<IbContractEntity> = { updatedAt: this.clock.now() };
      if (what.login !== false) Object.assign(patch, { failedLogins: 0, lockedAt: null });
      if (what.payeeCheck) Object.assign(patch, { payeeCheckStrikes: 0, payeeCheckLockedAt: null });
      await m.update(IbContractEntity, { id }, patch);
      await this.audit.append(
        { actor, action: 'banking.contract.unlocked', subject: `bk-contract:${id}`, details: { ...what } },
        m,
      );
      return { ...c, ...patch };
    });
  }

  /**
   * BK-18: suspend, reactivate or terminate. Termination revokes sessions; pending requests are not
   * processed (the transfer job cancels them).
   */
  async setStatus(
    id: string,
    status: ContractStatus,
    actor: string,
    reason?: string,
    force = false,
  ): Promise<IbContractEntity> {
    return this.uow.run(async (m) => {
      const c = await this.get(id, m);
      if (c.status === 'terminated')
        throw AppError.conflict(BankingErrorCode.CONTRACT_NOT_ACTIVE, '解約済みの契約は変更できません。');
      // BK-18 (seed 003 Ⅱ§9): termination at the customer's request is not accepted while
      // reservations are unprocessed; the bank's forced termination (force) lets the job cancel them.
      if (status === 'terminated' && !force) {
        const pending = await m
          .getRepository(TransferEntity)
          .countBy({ contractId: id, status: 'scheduled' });
        if (pending > 0)
          throw AppError.conflict(
            BankingErrorCode.CONTRACT_HAS_RESERVATIONS,
            `未処理の予約が${pending}件あるため解約できません。予約を取り消すか、強制解約としてください。`,
            { pending },
          );
      }
      const now = this.clock.now();
      await m.update(IbContractEntity, { id }, { status, updatedAt: now });
      if (status !== 'active')
        await m
          .createQueryBuilder()
          .update(IbSessionEntity)
          .set({ revokedAt: now })
          .where('contract_id = :id AND revoked_at IS NULL', { id })
          .execute();
      await this.audit.append(
        {
          actor,
          action: `banking.contract.${status}`,
          subject: `bk-contract:${id}`,
          details: { reason: reason ?? null },
        },
        m,
      );
      return { ...c, status };
    });
  }

  /** BK-18: the term renews itself yearly while the contract is active. */
  renewedTermEnd(c: IbContractEntity, today: string): string | undefined {
    if (c.status !== 'active' || c.termEnd > today) return undefined;
    let end = c.termEnd;
    while (end <= today) end = addMonths(end, this.config.BANKING_CONTRACT_TERM_MONTHS);
    return end;
  }
}
