import { Controller, Get, Inject, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { escapeHtml, renderPage } from '../../web/layout';
import { MailSender } from './mail-sender';
import { OutboxMailSender } from './outbox-mail-sender';

/**
 * `/dev/mailbox`: lists the outbox so a newcomer can read OTP and notice mails in the browser.
 * Registered only in the embedded setup (no SMTP_URL, not production); see PlatformModule.
 */
@ApiExcludeController()
@Controller('dev/mailbox')
export class DevMailboxController {
  constructor(
    @Inject(MailSender) private readonly mail: MailSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private outbox(): OutboxMailSender {
    if (!this.config.devMailbox || !(this.mail instanceof OutboxMailSender)) throw new NotFoundException();
    return this.mail;
  }

  @Get()
  async list(@Res() res: Response): Promise<void> {
    const entries = await this.outbox().list(200);
    const rows = entries
      .map(
        (e) => `<article class="card mail">
  <header><strong>${escapeHtml(e.subject)}</strong><br><small>宛先: ${escapeHtml(e.to)} ・ ${escapeHtml(
    new Date(e.date).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' }),
  )}${e.tag ? ` ・ ${escapeHtml(e.tag)}` : ''}</small></header>
  <pre>${escapeHtml(e.text)}</pre>
  <a href="/dev/mailbox/${encodeURIComponent(e.file)}">.eml を表示</a>
</article>`,
      )
      .join('\n');
    res.type('html').send(
      renderPage({
        title: '開発用メールボックス',
        body: `<h1>開発用メールボックス</h1>
<p class="notice">組込み構成でのみ表示されます。送信されたメールは <code>storage/outbox</code> に保存されています（新しい順）。</p>
${rows || '<p>メールはまだありません。</p>'}`,
      }),
    );
  }

  @Get(':file')
  async raw(@Param('file') file: string, @Res() res: Response): Promise<void> {
    const outbox = this.outbox();
    if (!/^[0-9TZ]+-[0-9a-f]{8}\.eml$/.test(file)) throw new NotFoundException();
    const dir = path.join(this.config.storageDir, 'outbox');
    try {
      const body = await fs.readFile(path.join(dir, file));
      res.type('text/plain; charset=utf-8').send(body);
    } catch {
      throw new NotFoundException();
    }
    void outbox;
  }
}
