import { Browser, Page } from 'playwright-core';
import { AccountsService } from '../../src/banking/accounts/accounts.service';
import { SettableClock } from '../../src/platform/clock/clock';
import { baseUrl, launchChromium, screenshots } from '../helpers/browser';
import { BankingCustomer, createBankingCustomer, openAccount } from '../helpers/banking';
import { createTestApp, destroyTestApp } from '../helpers/test-app';
import { TestSmtpServer } from '../helpers/test-smtp-server';

const CODE = /確認コードは (\d+) です/;

/**
 * Personal internet banking in headless Chromium, keyboard only: log in (a wrong password is
 * refused with a clear message), see the balance, transfer with the code emailed over SMTP (a
 * wrong code is refused first), and find the transfer in the history; then reserve a transfer,
 * cancel it on the scheduled list, and set a limit the bank refuses.
 */
describe('banking pages (browser)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let smtp: TestSmtpServer;
  let browser: Browser;
  let base: string;
  let c: BankingCustomer;

  beforeAll(async () => {
    smtp = new TestSmtpServer();
    const smtpUrl = await smtp.start();
    // A ticking clock that starts on a business day at 10:00 JST, so the result never depends on
    // the day or hour the test runs.
    const clock = new SettableClock(new Date('2026-11-20T01:00:00Z'), true);
    t = await createTestApp({ env: { SMTP_URL: smtpUrl }, clock, listen: true });
    base = baseUrl(t);
    c = await createBankingCustomer(t, { balanceYen: 80_000 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await destroyTestApp(t);
    await smtp.stop();
  });

  const shot = screenshots('banking');

  async function typeInto(page: Page, selector: string, text: string) {
    await page.locator(selector).focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(text);
  }

  async function login(page: Page) {
    await page.goto(`${base}/banking/login`);
    await typeInto(page, '#loginId', c.loginId);
    await typeInto(page, '#password', 'not-the-password');
    await page.keyboard.press('Enter');
    await page.locator('#error:not(:empty)').waitFor();
    expect(await page.locator('#error').textContent()).toContain(
      'ログインIDまたはパスワードが正しくありません',
    );
    await typeInto(page, '#password', c.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/banking`);
  }

  it('logs in, transfers with the emailed code, and shows it in the history', async () => {
    const payee = await openAccount(t, { branchCode: '003', nameKana: 'ｳｹﾄﾘ ﾊﾅｺ' });
    const page = await browser.newPage();
    try {
      // Pages behind login send a visitor without a session to the login page.
      await page.goto(`${base}/banking/history`);
      expect(page.url()).toBe(`${base}/banking/login`);
      await login(page);
      await page.locator('[data-testid=balance]').first().waitFor();
      expect(await page.locator('[data-testid=balance]').first().textContent()).toBe('¥80,000');
      await shot(page, 'summary');

      await page.goto(`${base}/banking/transfer`);
      await page.locator('#debitAccountId option').first().waitFor({ state: 'attached' });
      await typeInto(page, '#branchCode', '003');
      await typeInto(page, '#accountNumber', payee.accountNumber);
      await typeInto(page, '#amountYen', '12345');
      const mark = smtp.messages.length;
      await page.keyboard.press('Enter');
      await page.locator('#step-confirm:not([hidden])').waitFor();
      const details = (await page.locator('#confirm-details').textContent()) ?? '';
      expect(details).toContain('ｳｹﾄﾘ ﾊﾅｺ');
      expect(details).toContain('¥12,345');
      await shot(page, 'confirm');
      const mailed = await smtp.nextTo(c.email, mark);
      const code = CODE.exec(mailed.text)![1];
      await typeInto(page, '#code', code === '000000' ? '111111' : '000000');
      await page.keyboard.press('Enter');
      await page.locator('#confirm-error:not(:empty)').waitFor();
      expect(await page.locator('#confirm-error').textContent()).toContain('確認コードが正しくありません');
      await typeInto(page, '#code', code);
      await page.keyboard.press('Enter');
      await page.locator('#step-done:not([hidden])').waitFor();
      expect(await page.locator('#done-details').textContent()).toContain('お取引が完了しました');
      await shot(page, 'done');
      expect((await t.app.get(AccountsService).get(payee.id)).balanceYen).toBe(12_345);

      await page.goto(`${base}/banking/history`);
      await page.locator('#lines tr').first().waitFor();
      const first = (await page.locator('#lines tr').first().textContent()) ?? '';
      expect(first).toContain('振込 ｳｹﾄﾘ ﾊﾅｺ');
      expect(first).toContain('¥12,345');
      expect(first).toContain('¥67,655');
      await shot(page, 'history');
    } finally {
      await page.close();
    }
  });

  it('cancels a reservation from the scheduled list and shows a refused limit', async () => {
    const payee = await openAccount(t);
    const page = await browser.newPage();
    page.on('dialog', (d) => void d.accept());
    try {
      await login(page);
      await page.goto(`${base}/banking/transfer`);
      await page.locator('#debitAccountId option').first().waitFor({ state: 'attached' });
      await typeInto(page, '#branchCode', '002');
      await typeInto(page, '#accountNumber', payee.accountNumber);
      await typeInto(page, '#amountYen', '1000');
      // A designated date: the next business day at least two days ahead.
      const { addBusinessDays } = await import('../../src/banking/calendar/domain/business-calendar');
      const { tokyoDate } = await import('../../src/common/time/tokyo-time');
      const date = addBusinessDays(tokyoDate(t.clock.now()), 2);
      await page.locator('#executionDate').fill(date);
      const mark = smtp.messages.length;
      await page.locator('#transfer-form button[type=submit]').focus();
      await page.keyboard.press('Enter');
      await page.locator('#step-confirm:not([hidden])').waitFor();
      const code = CODE.exec((await smtp.nextTo(c.email, mark)).text)![1];
      await typeInto(page, '#code', code);
      await page.keyboard.press('Enter');
      await page.locator('#step-done:not([hidden])').waitFor();
      expect(await page.locator('#done-details').textContent()).toContain(
        `ご予約を受け付けました（実行日 ${date}）`,
      );

      await page.goto(`${base}/banking/transfers`);
      const cancel = page.locator('#transfers button.danger');
      await cancel.first().waitFor();
      await cancel.first().focus();
      await page.keyboard.press('Enter');
      await page.locator('#status:not(:empty)').waitFor();
      expect(await page.locator('#status').textContent()).toContain('予約を取り消しました');
      expect(await page.locator('#transfers').textContent()).toContain('取消済');
      await shot(page, 'scheduled');

      await page.goto(`${base}/banking/limits`);
      await page.locator('#limits input').first().waitFor();
      await typeInto(page, '#limits input >> nth=0', '99999999');
      await page.keyboard.press('Enter');
      await page.locator('#error:not(:empty)').waitFor();
      expect(await page.locator('#error').textContent()).toContain('LIMIT_ABOVE_BANK_LIMIT');
      await typeInto(page, '#limits input >> nth=0', '50000');
      await page.keyboard.press('Enter');
      await page.locator('#status:not(:empty)').waitFor();
      expect(await page.locator('#status').textContent()).toContain('1回 ¥50,000');
      await shot(page, 'limits');
    } finally {
      await page.close();
    }
  });
});
