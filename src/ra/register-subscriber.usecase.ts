import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError, CommonErrorCode } from '../common/errors/app-error';
import { tokyoDate } from '../common/time/tokyo-time';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { AccountService, RegisteredAccount, toRegisteredAccount } from '../identity/account.service';
import { actorOf, Principal, SubscriberKind } from '../identity/auth/principal';
import { IdentityMail } from '../identity/identity-mail';
import { IdentityErrorCode } from '../identity/identity.errors';
import { SubscriberProfileEntity } from '../identity/subscriber-profile.entity';

export interface RegisterSubscriberCommand {
  kind: SubscriberKind;
  name: string;
  nameKana: string;
  email: string;
  phone?: string;
  birthDate?: string;
  corporationName?: string;
  officerTitle?: string;
  officerAuthority?: string;
  identityVerification: { documentType: string; documentNumberLast4: string; verifiedAt: string };
  loginId?: string;
}

function invalid(field: string, problem: string): AppError {
  return AppError.badRequest(CommonErrorCode.VALIDATION_FAILED, `入力内容に誤りがあります: ${field}`, {
    fields: [{ field, problems: [problem] }],
  });
}

function isRealDate(d: string): boolean {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}

/**
 * EC-01/EC-02: after checking the identity documents, an RA officer registers a borrower,
 * guarantor or corporate e-contract officer (電子契約責任者). The officer gets the login ID,
 * the temporary password (shown once, for the printed notice) and the personal login URL; the
 * subscriber is mailed the URL only. Only the last four characters of the document number are kept.
 */
@Injectable()
export class RegisterSubscriber {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly accounts: AccountService,
    private readonly mail: IdentityMail,
  ) {}

  async execute(officer: Principal, cmd: RegisterSubscriberCommand): Promise<RegisteredAccount> {
    const now = this.clock.now();
    if (cmd.kind === 'corporate' && !cmd.corporationName) {
      throw AppError.badRequest(
        IdentityErrorCode.CORPORATION_NAME_REQUIRED,
        '法人の電子契約責任者を登録するときは法人名が必要です。',
        { fields: [{ field: 'corporationName', problems: ['required for kind=corporate'] }] },
      );
    }
    if (cmd.birthDate && (!isRealDate(cmd.birthDate) || cmd.birthDate > tokyoDate(now))) {
      throw invalid('birthDate', 'birthDate must be a real date, not in the future');
    }
    const verifiedAt = new Date(cmd.identityVerification.verifiedAt);
    // A check recorded in the future is a typo; allow a few minutes of clock skew between PCs.
    if (Number.isNaN(verifiedAt.getTime()) || verifiedAt.getTime() > now.getTime() + 5 * 60_000) {
      throw invalid('identityVerification.verifiedAt', 'verifiedAt must not be in the future');
    }
    const actor = actorOf(officer);
    const issued = await this.dataSource.transaction(async (m) => {
      const issued = await this.accounts.create(m, {
        kind: 'subscriber',
        name: cmd.name,
        email: cmd.email,
        loginId: cmd.loginId,
        createdBy: actor,
      });
      await m.getRepository(SubscriberProfileEntity).insert({
        id: issued.account.id,
        subscriberKind: cmd.kind,
        nameKana: cmd.nameKana,
        phone: cmd.phone ?? null,
        birthDate: cmd.birthDate ?? null,
        corporationName: cmd.corporationName ?? null,
        officerTitle: cmd.officerTitle ?? null,
        officerAuthority: cmd.officerAuthority ?? null,
        idDocumentType: cmd.identityVerification.documentType,
        idDocumentLast4: cmd.identityVerification.documentNumberLast4,
        idVerifiedBy: officer.id,
        idVerifiedAt: verifiedAt,
        statusReason: null,
        statusChangedAt: null,
        statusChangedBy: null,
      });
      await this.audit.append(
        {
          actor,
          action: 'subscriber.registered',
          subject: `subscriber:${issued.account.id}`,
          details: {
            loginId: issued.account.loginId,
            kind: cmd.kind,
            identityDocumentType: cmd.identityVerification.documentType,
            identityVerifiedAt: verifiedAt.toISOString(),
          },
        },
        m,
      );
      return issued;
    });
    await this.mail.sendWelcome(issued.account.email, issued.account.name, issued.loginUrl);
    return toRegisteredAccount(issued);
  }
}
