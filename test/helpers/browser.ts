import { mkdirSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { readOtp } from './identity';
import { TestApp } from './test-app';
import { TestSmtpServer } from './test-smtp-server';

/**
 * Browser suites drive the Debian Chromium (not a downloaded Playwright build) headless, with
 * the same flags everywhere so a failure in one suite reproduces in another.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The http://127.0.0.1:<port> address of an app started with `listen: true`. */
export function baseUrl(t: Pick<TestApp, 'app'>): string {
  return `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
}

/** A page in a fresh browser context (own cookies) with a Japanese locale. */
export async function newJapanesePage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ locale: 'ja-JP' });
  return ctx.newPage();
}

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

/** Returns `shot(page, name)`, which saves a full-page screenshot as test-artifacts/<suite>-<name>.png. */
export function screenshots(suite: string): (page: Page, name: string) => Promise<Buffer> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return (page, name) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${suite}-${name}.png`), fullPage: true });
}

export interface BrowserCredentials {
  loginKey: string;
  loginId: string;
  password: string;
  email: string;
}

/**
 * On the personal login page: types ID and password by keyboard only, submits with Enter, waits
 * for the OTP step and returns the OTP mailed to `who.email` over SMTP.
 */
export async function submitPassword(
  page: Page,
  smtp: TestSmtpServer,
  who: Omit<BrowserCredentials, 'loginKey'>,
): Promise<string> {
  const mark = smtp.messages.length;
  await page.locator('#loginId').focus();
  await page.keyboard.type(who.loginId);
  await page.keyboard.press('Tab');
  await page.keyboard.type(who.password);
  await page.keyboard.press('Enter');
  await page.locator('#step-otp').waitFor({ state: 'visible' });
  return readOtp(smtp, who.email, mark);
}

/** Logs in through the personal URL, ID + password and the mailed OTP, and waits for the home page. */
export async function loginThroughPages(
  page: Page,
  base: string,
  smtp: TestSmtpServer,
  who: BrowserCredentials,
) {
  await page.goto(`${base}/login/${who.loginKey}`);
  const otp = await submitPassword(page, smtp, who);
  await page.fill('#otp', otp);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/home`);
}
