import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { writeFileAtomic } from '../fs.util';
import { Clock } from '../clock/clock';
import { MailMessage, MailSender, SentMail } from './mail-sender';

export interface OutboxEntry {
  file: string;
  messageId: string;
  to: string;
  subject: string;
  tag?: string;
  date: string;
  text: string;
}

/**
 * Writes each message as an RFC 5322 `.eml` file (built by nodemailer's composer, the same bytes
 * SMTP would carry) plus a small JSON index entry, atomically, into the outbox folder.
 */
export class OutboxMailSender extends MailSender {
  constructor(
    private readonly dir: string,
    private readonly from: string,
    private readonly clock: Clock,
  ) {
    super();
  }

  async send(message: MailMessage): Promise<SentMail> {
    const now = this.clock.now();
    const id = `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
    const messageId = `<${id}@outbox.econtract>`;
    const composer = new MailComposer({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      date: now,
      messageId,
      headers: message.tag ? { 'X-Mail-Tag': message.tag } : undefined,
    });
    const eml = await new Promise<Buffer>((resolve, reject) =>
      composer.compile().build((err, buf) => (err ? reject(err) : resolve(buf))),
    );
    const entry: OutboxEntry = {
      file: `${id}.eml`,
      messageId,
      to: message.to,
      subject: message.subject,
      tag: message.tag,
      date: now.toISOString(),
      text: message.text,
    };
    // The .eml is the message; the .json sidecar is written last so a listed entry is complete.
    await writeFileAtomic(path.join(this.dir, entry.file), eml, { mode: 0o600 });
    await writeFileAtomic(path.join(this.dir, `${id}.json`), JSON.stringify(entry), { mode: 0o600 });
    return { messageId };
  }

  /** Newest first. */
  async list(limit = 100): Promise<OutboxEntry[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return [];
    }
    const json = names
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .sort()
      .reverse()
      .slice(0, limit);
    const out: OutboxEntry[] = [];
    for (const n of json) {
      try {
        out.push(JSON.parse(await fs.readFile(path.join(this.dir, n), 'utf8')) as OutboxEntry);
      } catch {
        // unreadable entry: skipped, never fatal for the listing
      }
    }
    return out;
  }
}
