import { createTransport, Transporter } from 'nodemailer';
import { MailMessage, MailSender, SentMail } from './mail-sender';

export class SmtpMailSender extends MailSender {
  private readonly transport: Transporter;
  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    this.transport = createTransport(smtpUrl);
  }

  async send(message: MailMessage): Promise<SentMail> {
    const info = (await this.transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      headers: message.tag ? { 'X-Mail-Tag': message.tag } : undefined,
    })) as { messageId: string };
    return { messageId: info.messageId };
  }

  close(): void {
    this.transport.close();
  }
}
