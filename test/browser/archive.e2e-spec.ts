import { mkdirSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { StaffRole } from '../../src/identity/auth/principal';
import { csrfTokenFor } from '../../src/identity/auth/session-cookies';
import { archiveOriginal, createTestSigner, signedOriginal } from '../helpers/archive';
import { createStaff, TestPerson } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

/**
 * The archive pages in headless Chromium, by keyboard: an auditor searches originals (and is told
 * what is wrong with a bad criterion), verifies an uploaded PDF and an archived contract; an
 * administrator starts a re-stamping run and sees it listed.
 */
describe('archive pages (browser)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let browser: Browser;
  let base: string;
  let auditor: TestPerson;
  let admin: TestPerson;
  let contractId: string;
  let pdfFile: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await createTestApp({ listen: true });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    auditor = await createStaff(t, [StaffRole.AUDITOR], { name: '監査 花子' });
    admin = await createStaff(t, [StaffRole.ADMIN], { name: '管理 太郎' });
    const signer = await createTestSigner(t);
    const signed = await signedOriginal(t, signer);
    pdfFile = path.join(t.dir, 'original.pdf');
    writeFileSync(pdfFile, signed);
    contractId = (
      await archiveOriginal(
        t,
        signer,
        { counterparty: '株式会社ブラウザ商事', transactionDate: '2026-06-30', amountYen: 7_500_000 },
        signed,
      )
    ).original.contractId;
    await archiveOriginal(t, signer, { counterparty: '別件 次郎', transactionDate: '2026-01-10' }, signed);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await destroyTestApp(t);
  });

  async function loggedIn(person: TestPerson): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'ja-JP' });
    await context.addCookies([
      { name: 'session', value: person.token, url: base },
      { name: 'csrf', value: csrfTokenFor(person.token), url: base },
    ]);
    return { context, page: await context.newPage() };
  }

  it('searches by counterparty and date with the keyboard, and explains a bad amount', async () => {
    const { context, page } = await loggedIn(auditor);
    try {
      await page.goto(`${base}/archive`);
      await page.locator('#count').filter({ hasText: '件' }).waitFor();
      await page.locator('#counterparty').focus();
      await page.keyboard.type('ブラウザ');
      await page.keyboard.press('Enter');
      await page.locator('#count').filter({ hasText: '1 件' }).waitFor();
      const row = page.locator('#results tbody tr');
      await expect(row.count()).resolves.toBe(1);
      await expect(row.first().textContent()).resolves.toContain('株式会社ブラウザ商事');
      await expect(row.first().textContent()).resolves.toContain('2026-06-30');

      await page.locator('#amountMin').focus();
      await page.keyboard.type('たくさん');
      await page.keyboard.press('Enter');
      const error = page.locator('#error');
      await error.filter({ hasText: '検索条件が正しくありません' }).waitFor();
      await expect(error.textContent()).resolves.toContain('amountMin');
      await page.screenshot({ path: path.join(ARTIFACTS, 'archive-search.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('verifies an uploaded PDF and an archived contract, per signature and timestamp', async () => {
    const { context, page } = await loggedIn(auditor);
    try {
      await page.goto(`${base}/archive/verify`);
      await page.locator('#file').setInputFiles(pdfFile);
      await page.locator('#upload button[type=submit]').press('Enter');
      await page.locator('#verdict').filter({ hasText: 'TOTAL-PASSED' }).waitFor();
      await expect(page.locator('#match').textContent()).resolves.toContain(contractId);
      await expect(page.locator('#entries tbody tr').count()).resolves.toBe(2);

      await page.locator('#originalId').focus();
      await page.keyboard.type('00000000-0000-4000-8000-000000000000');
      await page.keyboard.press('Enter');
      await page.locator('#error').filter({ hasText: '保管されていません' }).waitFor();

      await page.locator('#originalId').fill(contractId);
      await page.keyboard.press('Enter');
      await page.locator('#printable:not([hidden])').waitFor();
      await expect(page.locator('#verdict').textContent()).resolves.toContain('有効');
      await page.screenshot({ path: path.join(ARTIFACTS, 'archive-verify.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('lets an administrator start a run and shows it in the list', async () => {
    const { context, page } = await loggedIn(admin);
    try {
      await page.goto(`${base}/archive/runs`);
      await page.locator('#due').filter({ hasText: '件' }).waitFor();
      await page.locator('#mode').selectOption('all');
      await page.locator('#start button[type=submit]').press('Enter');
      await page.locator('#notice').filter({ hasText: '実行を開始しました' }).waitFor();
      await page.reload();
      await page.locator('#runs tbody tr').first().waitFor();
      await expect(page.locator('#runs tbody tr').first().textContent()).resolves.toContain('画面');
    } finally {
      await context.close();
    }
  });
});
