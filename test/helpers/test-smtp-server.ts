import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

/**
 * A real SMTP server on loopback for tests: the service sends over SMTP, tests read what arrived.
 * Decodes the parts nodemailer produces (quoted-printable or base64 text/plain, encoded-word subjects).
 */
export class TestSmtpServer {
  readonly messages: ReceivedMail[] = [];
  private server!: SMTPServer;
  private waiters: { match: (m: ReceivedMail) => boolean; resolve: (m: ReceivedMail) => void }[] = [];
  port = 0;

  async start(): Promise<string> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const mail = parseMail(
            raw,
            session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            session.envelope.rcptTo.map((r) => r.address),
          );
          this.messages.push(mail);
          this.waiters = this.waiters.filter((w) => {
            if (w.match(mail)) {
              w.resolve(mail);
              return false;
            }
            return true;
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as AddressInfo).port;
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Resolves with the first message (already received or still to come) that matches. */
  waitFor(match: (m: ReceivedMail) => boolean, timeoutMs = 10_000, after = 0): Promise<ReceivedMail> {
    const found = this.messages.slice(after).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching mail arrived')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** The next message to `to` received after `after` messages. */
  nextTo(to: string, after = this.messages.length): Promise<ReceivedMail> {
    return this.waitFor((m) => m.to.includes(to), 10_000, after);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function parseMail(raw: string, from: string, to: string[]): ReceivedMail {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = unfold(head);
  const subject = decodeWords(headers['subject'] ?? '');
  const body = rest.join('\n\n');
  const ctype = headers['content-type'] ?? 'text/plain';
  let text: string;
  const boundary = /boundary="?([^";]+)"?/i.exec(ctype)?.[1];
  if (boundary) {
    const parts = body.split(`--${boundary}`);
    const plain = parts.find((p) => /content-type:\s*text\/plain/i.test(p)) ?? parts[1] ?? '';
    const [ph, ...pb] = plain.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
    text = decodeBody(pb.join('\n\n'), unfold(ph)['content-transfer-encoding']);
  } else {
    text = decodeBody(body, headers['content-transfer-encoding']);
  }
  return { from, to, subject, text, raw };
}

function unfold(head: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function decodeBody(body: string, cte = '7bit'): string {
  const enc = cte.toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8').trim();
  }
  return body.trim();
}

function decodeWords(s: string): string {
  return s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_, _cs: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(
            data
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (__, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}
