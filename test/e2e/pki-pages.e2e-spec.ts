import { AddressInfo } from 'node:net';
import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { csrfTokenFor } from '../../src/identity/auth/session-cookies';
import { StaffRole } from '../../src/identity/auth/principal';
import { createStaff, createSubscriber, TestPerson } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

/** The PKI pages in real Chromium: keyboard-driven forms, every refusal shown as a message. */
describe('PKI pages (browser)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await destroyTestApp(t);
  });

  async function pageAs(person: TestPerson): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    await context.addCookies([
      { name: 'session', value: person.token, url: base, httpOnly: true, sameSite: 'Strict' },
      { name: 'csrf', value: csrfTokenFor(person.token), url: base, sameSite: 'Strict' },
    ]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
    });
    (page as unknown as { jsErrors: string[] }).jsErrors = errors;
    return { context, page };
  }

  it('subscriber applies with a PIN, sees refusals, the certificate, and changes the PIN', async () => {
    const person = await createSubscriber(t, { birthDate: '1980-04-15' });
    const { context, page } = await pageAs(person);
    try {
      await page.goto(`${base}/me/certificate`);
      await page.getByText('有効な電子証明書はありません。').waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe('ja');

      // Keyboard only: type, tab, press Enter.
      await page.locator('#pin').focus();
      await page.keyboard.type('123456');
      await page.keyboard.press('Tab');
      await page.keyboard.type('123456');
      await page.keyboard.press('Enter');
      await showsText(page.locator('#apply-error'), /連続した数字/);

      await page.fill('#pin', '482915');
      await page.fill('#pinConfirmation', '482916');
      await page.keyboard.press('Enter');
      await showsText(page.locator('#apply-error'), /一致しません/);

      await page.fill('#pinConfirmation', '482915');
      await page.locator('#apply-form button').press('Enter');
      await page.getByText('電子証明書を発行しました').waitFor();
      await page.getByText('暗証コード設定（受領確認）').waitFor();
      expect(await page.locator('#apply-section').isHidden()).toBe(true);

      await page.fill('#currentPin', '000000');
      await page.fill('#newPin', '739164');
      await page.fill('#newPinConfirmation', '739164');
      await page.locator('#pin-form button').click();
      await showsText(page.locator('#pin-error'), /暗証コードが正しくありません（あと9回/);
      await page.fill('#currentPin', '482915');
      await page.locator('#pin-form button').click();
      await page.getByText('暗証コードを変更しました。').waitFor();
      expect((page as unknown as { jsErrors: string[] }).jsErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('RA officer revokes from the RA page; the subscriber page then shows it revoked', async () => {
    const person = await createSubscriber(t);
    const ra = await createStaff(t, [StaffRole.RA_OFFICER]);
    const sub = await pageAs(person);
    const officer = await pageAs(ra);
    try {
      await sub.page.goto(`${base}/me/certificate`);
      await sub.page.fill('#pin', '482915');
      await sub.page.fill('#pinConfirmation', '482915');
      await sub.page.locator('#apply-form button').click();
      await sub.page.getByText('電子証明書を発行しました').waitFor();

      await officer.page.goto(`${base}/ra/certificates`);
      await officer.page.fill('#subscriberId', 'no-such-id');
      await officer.page.locator('#lookup-form button').click();
      await showsText(officer.page.locator('#lookup-error'), /\S/);

      await officer.page.fill('#subscriberId', person.id);
      await officer.page.locator('#lookup-form button').click();
      await officer.page.getByText('最新の証明書').waitFor();
      await officer.page.selectOption('#reason', 'keyCompromise');
      await officer.page.check('input[name=channel][value=phone]');
      officer.page.once('dialog', (d) => void d.accept());
      await officer.page.locator('#revoke-form button').click();
      await officer.page.getByText('失効しました').waitFor();
      await officer.page.locator('#revoke-section').waitFor({ state: 'hidden' });

      await sub.page.reload();
      await sub.page.getByText('有効な電子証明書はありません。').waitFor();
      await sub.page.getByText('ID・パスワード・暗証コードの漏えい').waitFor();
      await sub.page.getByText('電話').waitFor();
      // The subscriber cannot open the RA page.
      const res = await sub.page.goto(`${base}/ra/certificates`);
      expect(res?.status()).toBeGreaterThanOrEqual(300);
    } finally {
      await sub.context.close();
      await officer.context.close();
    }
  });

  it('admin creates and revokes a branch-manager signing identity', async () => {
    const admin = await createStaff(t, [StaffRole.ADMIN]);
    const { context, page } = await pageAs(admin);
    try {
      await page.goto(`${base}/admin/signing-identities`);
      await page.getByText('登録済みの名義はありません。').waitFor();
      await page.fill('#branchName', '本店営業部');
      await page.fill('#personName', '阿武隈 一郎');
      await page.fill('#idPin', '111111');
      await page.locator('#create-form button').click();
      await showsText(page.locator('#create-error'), /同じ文字だけ/);
      await page.fill('#idPin', '582039');
      await page.locator('#create-form button').click();
      await page.getByText('「本店営業部 支店長 阿武隈 一郎」の名義と証明書を作成しました。').waitFor();
      await page.getByRole('cell', { name: '本店営業部 支店長 阿武隈 一郎' }).waitFor();
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: '失効' }).click();
      await page.getByRole('cell', { name: '失効', exact: true }).waitFor();
    } finally {
      await context.close();
    }
  });
});

/** Waits (Playwright auto-wait) until the element shows text matching `re`; fails with what it shows. */
async function showsText(locator: Locator, re: RegExp): Promise<void> {
  try {
    await locator.filter({ hasText: re }).waitFor({ timeout: 10_000 });
  } catch {
    throw new Error(`expected text matching ${re}, got "${(await locator.textContent()) ?? ''}"`);
  }
}
