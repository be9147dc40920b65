import * as path from 'node:path';
import { Browser, Page } from 'playwright-core';
import { StaffRole } from '../../src/identity/auth/principal';
import { IssueSubscriberCertificate } from '../../src/pki/issue-subscriber-certificate.usecase';
import { CreateSigningIdentity } from '../../src/pki/signing-identities.usecase';
import { baseUrl, launchChromium, loginThroughPages, newJapanesePage, screenshots } from '../helpers/browser';
import { PDF_FIXTURES } from '../helpers/contracts';
import { createStaff, createSubscriber, TestPerson } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';
import { TestSmtpServer } from '../helpers/test-smtp-server';

const LIST_LINE = /ログイン後の契約書一覧: (\S+)/;

/**
 * The contract pages in headless Chromium: the loan officer uploads with a PDF preview, the bank
 * signer signs with the branch manager's PIN, the debtor and the guarantor sign from the e-mailed
 * link after reading the PDF rendered by pdf.js, and the last page shows the conclusion. Refusals
 * (wrong PIN, no agreement, not your turn) appear as messages on the page. Screenshots of each main
 * page go to test-artifacts/.
 */
describe('contract pages (browser)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let smtp: TestSmtpServer;
  let browser: Browser;
  let base: string;
  let officer: TestPerson;
  let bankSigner: TestPerson;
  let debtor: TestPerson;
  let guarantor: TestPerson;

  beforeAll(async () => {
    smtp = new TestSmtpServer();
    const smtpUrl = await smtp.start();
    t = await createTestApp({ env: { SMTP_URL: smtpUrl }, listen: true });
    base = baseUrl(t);
    officer = await createStaff(t, [StaffRole.LOAN_OFFICER], { smtp, name: '融資 花子' });
    bankSigner = await createStaff(t, [StaffRole.BANK_SIGNER], { smtp, name: '本部 署名' });
    debtor = await createSubscriber(t, { smtp, name: '借主 一郎', nameKana: 'カリヌシ イチロウ' });
    guarantor = await createSubscriber(t, { smtp, name: '保証 二郎', nameKana: 'ホショウ ジロウ' });
    const issue = t.app.get(IssueSubscriberCertificate);
    await issue.execute({ subscriberId: debtor.id, pin: '482913', actor: 'test' });
    await issue.execute({ subscriberId: guarantor.id, pin: '519374', actor: 'test' });
    await t.app.get(CreateSigningIdentity).execute({
      branchName: '本店営業部',
      title: '支店長',
      personName: '山田 一郎',
      pin: '735194',
      actor: 'test',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await destroyTestApp(t);
    await smtp.stop();
  });

  const shot = screenshots('contracts');

  /** Logs in through the personal URL, ID + password and the mailed OTP, in a fresh browser context. */
  async function login(who: TestPerson): Promise<Page> {
    const page = await newJapanesePage(browser);
    await loginThroughPages(page, base, smtp, who);
    return page;
  }

  async function alertText(page: Page): Promise<string> {
    await page.waitForFunction(() => (document.getElementById('error')?.textContent ?? '').length > 0);
    return (await page.textContent('#error')) ?? '';
  }

  /** Waits until the signing request has settled (a notice other than "in progress", or an error). */
  async function outcome(page: Page): Promise<{ error: string; notice: string }> {
    await page.waitForFunction(() => {
      const n = document.getElementById('notice')?.textContent ?? '';
      const e = document.getElementById('error')?.textContent ?? '';
      return e.length > 0 || (n.length > 0 && !n.includes('署名しています'));
    });
    return {
      error: (await page.textContent('#error')) ?? '',
      notice: (await page.textContent('#notice')) ?? '',
    };
  }

  it('goes from upload to a concluded contract through the pages', async () => {
    // --- Loan officer: upload with preview ---
    const staff = await login(officer);
    await staff.goto(`${base}/contracts/new`);
    expect(await staff.getAttribute('html', 'lang')).toBe('ja');
    await staff.setInputFiles('#file', path.join(PDF_FIXTURES, 'loan-libreoffice.pdf'));
    await staff.locator('#viewer canvas').first().waitFor();
    await staff.fill('#title', '金銭消費貸借契約証書（ブラウザ）');
    await staff.selectOption('#loanType', 'business');
    await staff.fill('#amount', '12000000');
    await staff.fill('#counterparty', '借主 一郎');
    await staff.fill('#contractDate', '2026-04-01');
    for (const name of ['借主', '保証']) {
      await staff.fill('#signer-search', name);
      await staff.keyboard.press('Enter');
      await staff.locator('#signer-results button').first().waitFor();
      await staff.locator('#signer-results button').first().click();
    }
    await expect(staff.locator('#signers li').count()).resolves.toBe(2);
    await shot(staff, '01-new-contract');
    await staff.click('#new-contract button[type=submit]');
    await staff.waitForURL(/\/contracts\/[0-9a-f-]{36}$/);
    const contractId = staff.url().split('/').pop()!;
    await staff.locator('#facts [data-status="draft"]').waitFor();
    await staff.locator('#viewer canvas').first().waitFor();
    await shot(staff, '02-officer-detail');

    // --- Bank signer: queue, refusal, signature ---
    const bank = await login(bankSigner);
    await bank.goto(`${base}/contracts/queue`);
    await bank.locator(`#contracts tr[data-id="${contractId}"] a`).click();
    await bank.locator('#bank-sign:not([hidden])').waitFor();
    await bank.locator('#signingIdentityId option').first().waitFor({ state: 'attached' });
    await bank.fill('#bank-pin', '000000');
    await bank.click('#bank-sign-form button');
    expect(await alertText(bank)).toContain('PIN_INCORRECT');
    await shot(bank, '03-bank-wrong-pin');
    let mark = smtp.messages.length;
    await bank.fill('#bank-pin', '735194');
    await bank.click('#bank-sign-form button');
    await bank.locator('#facts [data-status="awaiting_signature"]').waitFor();
    await shot(bank, '04-bank-signed');

    // --- Debtor: from the e-mail ---
    const invite = await smtp.nextTo(debtor.email, mark);
    const listUrl = LIST_LINE.exec(invite.text)![1];
    const sub = await login(debtor);
    await sub.goto(listUrl.replace(t.config.publicUrl, base));
    await sub.locator(`#pending li[data-id="${contractId}"] a`).click();
    await sub.locator('#viewer canvas').first().waitFor();
    await sub.locator('#sign:not([hidden])').waitFor();
    await sub.fill('#pin', '482913');
    await sub.click('#sign-form button');
    expect(await alertText(sub)).toContain('AGREEMENT_REQUIRED');
    await sub.check('#agreed');
    await sub.fill('#pin', '111111');
    await sub.click('#sign-form button');
    await sub.waitForFunction(() =>
      (document.getElementById('error')?.textContent ?? '').includes('PIN_INCORRECT'),
    );
    await shot(sub, '05-debtor-wrong-pin');

    // The guarantor, meanwhile, is told it is not their turn and gets no signing form.
    const g = await login(guarantor);
    await g.goto(`${base}/my/contracts/${contractId}`);
    await g.waitForFunction(() =>
      (document.getElementById('turn-info')?.textContent ?? '').includes('他の署名者'),
    );
    expect(await g.locator('#sign').isHidden()).toBe(true);

    mark = smtp.messages.length;
    await sub.check('#agreed');
    await sub.fill('#pin', '482913');
    await sub.click('#sign-form button');
    expect(await outcome(sub)).toEqual({ error: '', notice: expect.stringContaining('署名が完了') });
    await shot(sub, '06-debtor-signed');

    // --- Guarantor: signs last; the page shows the conclusion and the copy download ---
    await smtp.nextTo(guarantor.email, mark);
    await g.goto(`${base}/my/contracts`);
    await g.locator(`#pending li[data-id="${contractId}"] a`).click();
    await g.locator('#viewer canvas').first().waitFor();
    await shot(g, '07-guarantor-viewer');
    await g.check('#agreed');
    await g.fill('#pin', '519374');
    await g.click('#sign-form button');
    await g.locator('#completed:not([hidden])').waitFor();
    expect(await g.textContent('#notice')).toContain('締結');
    expect(await g.getAttribute('#copy-link', 'href')).toBe(`/api/contracts/${contractId}/original`);
    await shot(g, '08-concluded');

    // The officer's page shows the history up to the archived original.
    await staff.reload();
    await staff.locator('#facts [data-status="completed"]').waitFor();
    await staff.locator('#original:not([hidden])').waitFor();
    expect(await staff.textContent('#events')).toContain('原本保管（B-LTA）');
    await shot(staff, '09-officer-completed');
  });
});
