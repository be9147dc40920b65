import { Browser, Page } from 'playwright-core';
import { StaffRole } from '../../src/identity/auth/principal';
import {
  baseUrl,
  launchChromium,
  loginThroughPages,
  newJapanesePage,
  screenshots,
  submitPassword,
} from '../helpers/browser';
import { createStaff, strongPassword, TestPerson } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';
import { TestSmtpServer } from '../helpers/test-smtp-server';

/**
 * The pages in headless Chromium: an RA officer logs in at the personal URL (OTP read from the
 * test SMTP server), registers a subscriber through the form, and the subscriber logs in with the
 * printed credentials, is refused a wrong password and a wrong OTP with clear messages, changes the
 * temporary password, reaches the home page and logs out.
 */
describe('identity pages (browser)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let smtp: TestSmtpServer;
  let browser: Browser;
  let base: string;
  let officer: TestPerson;

  beforeAll(async () => {
    smtp = new TestSmtpServer();
    const smtpUrl = await smtp.start();
    t = await createTestApp({ env: { SMTP_URL: smtpUrl }, listen: true });
    base = baseUrl(t);
    officer = await createStaff(t, [StaffRole.RA_OFFICER], { smtp, name: '登録 一郎' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await destroyTestApp(t);
    await smtp.stop();
  });

  const shot = screenshots('identity');

  /** Waits for a refusal to be shown in a role="alert" element and returns its text. */
  async function alertText(page: Page, selector: string): Promise<string> {
    const el = page.locator(selector);
    await el.waitFor({ state: 'visible' });
    return (await el.textContent()) ?? '';
  }

  it('officer registers a subscriber through the pages; the subscriber logs in, changes the password and logs out', async () => {
    // --- RA officer ---
    const staff = await newJapanesePage(browser);
    await staff.goto(`${base}/login/${officer.loginKey}`);
    expect(await staff.getAttribute('html', 'lang')).toBe('ja');
    await shot(staff, '01-login');
    const officerOtp = await submitPassword(staff, smtp, officer);
    await shot(staff, '02-otp');
    await staff.fill('#otp', officerOtp);
    await staff.keyboard.press('Enter');
    await staff.waitForURL(`${base}/home`);
    await expect(staff.locator('h1').textContent()).resolves.toContain('登録 一郎');
    await shot(staff, '03-staff-home');

    await staff.click('a[href="/ra/subscribers"]');
    await staff.waitForURL(`${base}/ra/subscribers`);
    await staff.click('a[href="/ra/subscribers/new"]');
    await staff.selectOption('#kind', 'corporate');
    await staff.fill('#corporationName', '株式会社あぶくま物産');
    await staff.fill('#officerTitle', '経理部長');
    await staff.fill('#name', '物産 次郎');
    await staff.fill('#nameKana', 'ブッサン ジロウ');
    const email = `browser-${Date.now()}@example.jp`;
    await staff.fill('#email', email);
    await staff.fill('#birthDate', '1975-05-05');
    await staff.selectOption('#documentType', 'my_number_card');
    await staff.fill('#documentNumberLast4', '4321');
    // A refusal first: an invalid kana is shown, the form stays.
    await staff.fill('#nameKana', 'Bussan');
    await staff.click('#register-form button[type=submit]');
    await expect(alertText(staff, '#register-error')).resolves.toContain('nameKana');
    await shot(staff, '04-register-refused');
    await staff.fill('#nameKana', 'ブッサン ジロウ');
    await staff.click('#register-form button[type=submit]');
    await staff.locator('#issued').waitFor({ state: 'visible' });
    await shot(staff, '05-registered');
    const loginId = (await staff.textContent('#issued-login-id'))!.trim();
    const temporaryPassword = (await staff.textContent('#issued-password'))!.trim();
    const loginUrl = (await staff.textContent('#issued-url'))!.trim();
    expect(loginId).toMatch(/^U\d{8}$/);
    const loginKey = loginUrl.split('/login/')[1];

    // --- Subscriber, in a separate browser ---
    const sub = await newJapanesePage(browser);
    await sub.goto(`${base}/home`);
    expect(sub.url()).toBe(`${base}/login-required`);
    await sub.goto(`${base}/login/${loginKey}`);

    await sub.fill('#loginId', loginId);
    await sub.fill('#password', 'wrong-password-0000');
    await sub.click('#login-form button[type=submit]');
    await expect(alertText(sub, '#login-error')).resolves.toContain('正しくありません');
    await shot(sub, '06-wrong-password');

    await sub.fill('#loginId', '');
    await sub.fill('#password', '');
    const otp = await submitPassword(sub, smtp, { email, loginId, password: temporaryPassword });
    await sub.fill('#otp', otp === '000000' ? '111111' : '000000');
    await sub.click('#otp-form button[type=submit]');
    await expect(alertText(sub, '#otp-error')).resolves.toContain('あと4回');
    await shot(sub, '07-wrong-otp');
    await sub.fill('#otp', otp);
    await sub.click('#otp-form button[type=submit]');
    await sub.waitForURL(`${base}/password/change`);
    // Anything else sends them back to the password change.
    await sub.goto(`${base}/home`);
    expect(sub.url()).toBe(`${base}/password/change`);

    await sub.fill('#currentPassword', temporaryPassword);
    await sub.fill('#newPassword', 'password1234');
    await sub.fill('#confirmPassword', 'password1234');
    await sub.click('#password-form button[type=submit]');
    await expect(alertText(sub, '#password-error')).resolves.toContain('よく使われている');
    await shot(sub, '08-password-refused');
    const newPassword = strongPassword();
    await sub.fill('#newPassword', newPassword);
    await sub.fill('#confirmPassword', newPassword);
    await sub.click('#password-form button[type=submit]');
    await sub.waitForURL(`${base}/home?passwordChanged=1`);
    await expect(sub.locator('h1').textContent()).resolves.toContain('物産 次郎');
    await shot(sub, '09-subscriber-home');
    // A subscriber cannot open the RA pages.
    const forbidden = await sub.goto(`${base}/ra/subscribers`);
    expect(forbidden?.status()).toBe(403);

    await sub.goto(`${base}/logout`);
    await sub.click('#logout-button');
    await sub.waitForURL(`${base}/logged-out`);
    await sub.goto(`${base}/home`);
    expect(sub.url()).toBe(`${base}/login-required`);

    // The officer sees the new subscriber in the search.
    await staff.goto(`${base}/ra/subscribers`);
    await staff.fill('#query', 'ブッサン');
    await staff.click('#search-form button[type=submit]');
    await staff.locator('#subscriber-table tbody tr').first().waitFor();
    await expect(staff.locator('#subscriber-table tbody').textContent()).resolves.toContain(loginId);
    await staff.click(`#subscriber-table a:text("${loginId}")`);
    await staff.locator('#subscriber-fields dt').first().waitFor();
    await expect(staff.locator('#subscriber-fields').textContent()).resolves.toContain(
      '株式会社あぶくま物産',
    );
    await shot(staff, '10-subscriber-detail');
    // Reissue (forgotten password): confirmed in a dialog, new credentials shown once.
    staff.once('dialog', (d) => void d.accept());
    await staff.click('button[data-action=reissue]');
    await staff.locator('#reissued').waitFor({ state: 'visible' });
    const reissued = (await staff.textContent('#reissued #issued-password'))!.trim();
    expect(reissued).not.toBe(temporaryPassword);
    expect(reissued).toMatch(/^[A-Za-z2-9]{16}$/);
    await shot(staff, '11-reissued');
    await staff.context().close();
    await sub.context().close();
  });

  it('an administrator registers a staff member and changes their roles through the pages', async () => {
    const admin = await createStaff(t, [StaffRole.ADMIN], { smtp, name: '管理 花子' });
    const page = await newJapanesePage(browser);
    await loginThroughPages(page, base, smtp, admin);
    await page.click('a[href="/admin/staff"]');
    await page.waitForURL(`${base}/admin/staff`);
    // Refusal: no role chosen.
    await page.fill('#staff-name', '融資 三郎');
    await page.fill('#staff-email', `loan-${Date.now()}@example.jp`);
    await page.click('#staff-form button[type=submit]');
    await expect(alertText(page, '#staff-error')).resolves.toContain('権限');
    await page.check('input[name=roles][value=loan_officer]');
    await page.click('#staff-form button[type=submit]');
    await page.locator('#staff-issued').waitFor({ state: 'visible' });
    const loginId = (await page.textContent('#issued-login-id'))!.trim();
    expect(loginId).toMatch(/^S\d{8}$/);
    await shot(page, '12-staff-registered');
    await page.click(`#staff-table a:text("${loginId}")`);
    await page.locator('#staff-login-id:not(:empty)').waitFor();
    await page.check('#staff-edit-form input[name=roles][value=bank_signer]');
    await page.click('#staff-edit-form button[type=submit]');
    await page.locator('#edit-status:text("変更しました")').waitFor();
    // The history is reloaded after the save: wait for the new entry rather than racing the fetch.
    await page.locator('#history tbody', { hasText: '金庫署名担当者' }).waitFor();
    await shot(page, '13-staff-roles-changed');
    await page.context().close();
  });
});
