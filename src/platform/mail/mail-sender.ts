export interface MailMessage {
  to: string;
  subject: string;
  /** Plain-text body (Japanese). Never contains passwords; OTPs only in OTP messages. */
  text: string;
  html?: string;
  /** Category for logs and the dev mailbox (e.g. `otp`, `contract-registered`). */
  tag?: string;
}

export interface SentMail {
  messageId: string;
}

/** Outgoing mail port: SMTP in production, an outbox folder in the embedded setup. */
export abstract class MailSender {
  abstract send(message: MailMessage): Promise<SentMail>;
}
