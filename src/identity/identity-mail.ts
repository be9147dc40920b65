import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AppError, CommonErrorCode } from '../common/errors/app-error';
import { tokyoParts } from '../common/time/tokyo-time';
import { MailSender } from '../platform/mail/mail-sender';

function jst(d: Date): string {
  const p = tokyoParts(d);
  return `${p.year}年${p.month}月${p.day}日 ${p.time}`;
}

/**
 * The messages of this module, in Japanese. A message never carries a password; the OTP goes
 * only in the OTP message; the login URL is never sent together with the temporary password
 * (which is handed over on paper).
 */
@Injectable()
export class IdentityMail {
  private readonly logger = new Logger(IdentityMail.name);

  constructor(
    @Inject(MailSender) private readonly mail: MailSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private footer(): string {
    return `\n\n――――\n${this.config.BANK_NAME} 電子契約サービス\nこのメールは送信専用です。お心当たりのない場合は、お取引店までご連絡ください。`;
  }

  /** The OTP must arrive for the login to go on: a failure is reported to the caller (503). */
  async sendOtp(to: string, name: string, otp: string, expiresAt: Date): Promise<void> {
    try {
      await this.mail.send({
        to,
        tag: 'otp',
        subject: `【${this.config.BANK_NAME}】ワンタイムパスワードのお知らせ`,
        text:
          `${name} 様\n\n電子契約サービスへのログインのワンタイムパスワードをお知らせします。\n\n` +
          `ワンタイムパスワード: ${otp}\n有効期限: ${jst(expiresAt)}（1回限り有効）\n\n` +
          `このコードを他人に教えないでください。当金庫の職員がお尋ねすることはありません。` +
          this.footer(),
      });
    } catch (e) {
      this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'OTP mail could not be sent');
      throw AppError.unavailable(
        CommonErrorCode.SERVICE_UNAVAILABLE,
        'ワンタイムパスワードのメールを送信できませんでした。しばらくしてから再度お試しください。',
      );
    }
  }

  /** Notices are best effort: the change they report is already committed and audited. */
  private async notice(to: string, tag: string, subject: string, text: string): Promise<void> {
    try {
      await this.mail.send({
        to,
        tag,
        subject: `【${this.config.BANK_NAME}】${subject}`,
        text: text + this.footer(),
      });
    } catch (e) {
      this.logger.warn(
        { tag, err: e instanceof Error ? e.message : String(e) },
        'notice mail could not be sent',
      );
    }
  }

  sendLocked(to: string, name: string, at: Date): Promise<void> {
    return this.notice(
      to,
      'account-locked',
      'ログインが停止されました',
      `${name} 様\n\n${jst(at)}、パスワードまたはワンタイムパスワードの誤りが所定の回数続いたため、` +
        `お客様のログインを停止しました。\n再開をご希望の場合は、お取引店へご連絡ください。\n` +
        `お心当たりのない場合も、至急お取引店へご連絡ください。`,
    );
  }

  sendWelcome(to: string, name: string, loginUrl: string): Promise<void> {
    return this.notice(
      to,
      'registered',
      '電子契約サービスのご登録のお知らせ',
      `${name} 様\n\n電子契約サービスへのご登録が完了しました。\n\n個人専用ログインURL:\n${loginUrl}\n\n` +
        `ログインIDと仮パスワードは、お取引店でお渡しした書面でご確認ください（メールではお送りしません）。\n` +
        `初回ログイン時に仮パスワードの変更が必要です。このURLは他人に知らせないでください。`,
    );
  }

  sendEmailChanged(to: string, name: string, at: Date): Promise<void> {
    return this.notice(
      to,
      'email-changed',
      'メールアドレス変更のお知らせ',
      `${name} 様\n\n${jst(at)}、電子契約サービスにご登録のメールアドレスを、このアドレスに変更しました。\n` +
        `今後のワンタイムパスワードやお知らせはこのアドレスへお送りします。`,
    );
  }

  sendPasswordChanged(to: string, name: string, at: Date): Promise<void> {
    return this.notice(
      to,
      'password-changed',
      'パスワード変更のお知らせ',
      `${name} 様\n\n${jst(at)}、電子契約サービスのパスワードが変更されました。\n` +
        `お心当たりのない場合は、至急お取引店へご連絡ください。`,
    );
  }
}
