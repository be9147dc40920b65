import type { MailMessage } from '../../platform/mail/mail-sender';

/**
 * The e-mails of the workflow (Japanese). None carries a password, a PIN or the contract itself:
 * the signer reads the contract only after logging in through their personal URL (EC-05, EC-07).
 * Only the invitations to sign (turn notice, reminder) carry that URL, to its owner alone.
 */
export interface ContractMailFacts {
  bankName: string;
  title: string;
  /** Formatted deadline (Asia/Tokyo) or null. */
  deadline: string | null;
}

const FOOTER = (bankName: string) =>
  [
    '',
    '※本メールには、パスワード・暗証コードおよび契約書ファイルは含まれていません。',
    '※お心当たりのない場合は、お取引店までご連絡ください。',
    '',
    `${bankName} 電子契約サービス`,
  ].join('\n');

/** How the party reaches the contract: their personal login URL when known, and the list page. */
export interface PartyLogin {
  /**
   * EC-07 (seed 000 §12(2)): the party's own personal login URL. Only ever given for a mail to
   * that party's own address; absent for accounts registered before the key was kept sealed.
   */
  personalLoginUrl?: string;
  /** The page that lists the party's contracts after logging in. */
  contractsUrl: string;
}

/**
 * EC-05 (1): the party logs in through the personal login URL (plus ID, password and mailed OTP).
 * Without a known personal URL, the mail refers to the one handed over at registration.
 */
function loginLines(login: PartyLogin): string[] {
  if (login.personalLoginUrl) {
    return [
      'お客さま専用ログインURL（ご本人さま専用です。他の方へ転送しないでください）:',
      login.personalLoginUrl,
      'ログインIDとパスワードを入力し、メールでお届けするワンタイムパスワードでログインしてください。',
      `ログイン後の契約書一覧: ${login.contractsUrl}`,
    ];
  }
  return [
    'ご登録時にお知らせした「お客さま専用ログインURL」からログインしてください。',
    `ログイン後の契約書一覧: ${login.contractsUrl}`,
  ];
}

function deadlineLine(deadline: string | null): string[] {
  return deadline ? [`署名期限: ${deadline}`] : [];
}

/** EC-07: the contract is registered and it is this party's turn to sign. */
export function signatureRequestedMail(
  to: string,
  name: string,
  login: PartyLogin,
  f: ContractMailFacts,
): MailMessage {
  return {
    to,
    tag: 'contract-registered',
    subject: `【${f.bankName}】電子契約書が登録されました（ご署名のお願い）`,
    text: [
      `${name} 様`,
      '',
      `${f.bankName}より、電子契約サービスに契約書が登録されました。`,
      'お客さま専用のログインURLからログインし、契約内容をご確認のうえ電子署名をお願いいたします。',
      '',
      `契約書: ${f.title}`,
      ...deadlineLine(f.deadline),
      '',
      ...loginLines(login),
      '署名には署名用電子証明書の暗証コードが必要です。',
      FOOTER(f.bankName),
    ].join('\n'),
  };
}

export function reminderMail(to: string, name: string, login: PartyLogin, f: ContractMailFacts): MailMessage {
  return {
    to,
    tag: 'contract-reminder',
    subject: `【${f.bankName}】電子契約書の署名期限が近づいています`,
    text: [
      `${name} 様`,
      '',
      '以下の契約書について、まだご署名をいただいておりません。署名期限までにご署名をお願いいたします。',
      '',
      `契約書: ${f.title}`,
      ...deadlineLine(f.deadline),
      '',
      ...loginLines(login),
      FOOTER(f.bankName),
    ].join('\n'),
  };
}

/**
 * The last party signed; the original is archived (EC-09, EC-10). Also sent to the loan officer,
 * so it never carries a personal login URL.
 */
export function completedMail(
  to: string,
  name: string,
  contractsUrl: string,
  f: ContractMailFacts & { copyDays: number },
): MailMessage {
  return {
    to,
    tag: 'contract-completed',
    subject: `【${f.bankName}】電子契約が締結されました`,
    text: [
      `${name} 様`,
      '',
      'すべての当事者の電子署名が完了し、以下の契約が締結されました。',
      '署名とタイムスタンプの付された原本は、電子契約サービスに保管されます。',
      '',
      `契約書: ${f.title}`,
      '',
      f.copyDays > 0
        ? `締結後${f.copyDays}日間、ログイン後の画面から契約書の副本を閲覧・ダウンロードいただけます。`
        : 'ログイン後の画面から契約書の副本を閲覧・ダウンロードいただけます。',
      ...loginLines({ contractsUrl }),
      FOOTER(f.bankName),
    ].join('\n'),
  };
}

export function cancelledMail(to: string, name: string, f: ContractMailFacts): MailMessage {
  return {
    to,
    tag: 'contract-cancelled',
    subject: `【${f.bankName}】電子契約書の取消しのお知らせ`,
    text: [
      `${name} 様`,
      '',
      '以下の契約書は、当金庫により取り消されました。この契約書へのご署名は不要です。',
      'ご不明な点はお取引店までお問い合わせください。',
      '',
      `契約書: ${f.title}`,
      FOOTER(f.bankName),
    ].join('\n'),
  };
}

export function expiredMail(to: string, name: string, f: ContractMailFacts): MailMessage {
  return {
    to,
    tag: 'contract-expired',
    subject: `【${f.bankName}】電子契約書の署名期限が経過しました`,
    text: [
      `${name} 様`,
      '',
      '以下の契約書は、署名期限までにすべてのご署名が揃わなかったため、期限切れとなりました。',
      'お手続きについてはお取引店までお問い合わせください。',
      '',
      `契約書: ${f.title}`,
      ...deadlineLine(f.deadline),
      FOOTER(f.bankName),
    ].join('\n'),
  };
}

/** EC-08: a signature did not validate; the workflow is stopped and staff must look at it. */
export function validationFailedAlertMail(
  to: string,
  f: ContractMailFacts & { contractId: string; version: number; indication: string; detailUrl: string },
): MailMessage {
  return {
    to,
    tag: 'contract-validation-failed',
    subject: `【要対応】電子契約書の署名検証に失敗しました: ${f.title}`,
    text: [
      '担当者各位',
      '',
      '署名後の検証（EC-08）で問題が見つかったため、以下の契約書の手続きを停止しました。',
      '内容を確認し、必要に応じて契約書を取り消して再作成してください。',
      '',
      `契約書: ${f.title}`,
      `契約ID: ${f.contractId}`,
      `文書バージョン: ${f.version}`,
      `検証結果: ${f.indication}`,
      `詳細: ${f.detailUrl}`,
      '',
      `${f.bankName} 電子契約サービス`,
    ].join('\n'),
  };
}
