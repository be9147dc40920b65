import request from 'supertest';
import { StaffRole } from '../../src/identity/auth/principal';
import { createStaff, createSubscriber, TestPerson } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

function hrefs(html: string, container: RegExp): string[] {
  const part = container.exec(html)?.[1] ?? '';
  return [...part.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
}
const navOf = (html: string) => hrefs(html, /<nav>([\s\S]*?)<\/nav>/);
const homeOf = (html: string) => hrefs(html, /<div class="card" id="home">([\s\S]*?)<\/div>/);

const COMMON = ['/home', '/password/change', '/logout'];

/** The home page and the navigation offer each person the pages of their roles, and those open. */
describe('identity: home page and navigation by role (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  const server = () => t.app.getHttpServer();
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => destroyTestApp(t));

  const page = (who: TestPerson, path: string) =>
    request(server()).get(path).set('Authorization', `Bearer ${who.token}`).set('Accept', 'text/html');

  const cases: [string, StaffRole[] | 'subscriber', string[]][] = [
    ['subscriber', 'subscriber', ['/my/contracts', '/me/certificate']],
    ['loan officer', [StaffRole.LOAN_OFFICER], ['/contracts']],
    ['bank signer', [StaffRole.BANK_SIGNER], ['/contracts', '/contracts/queue']],
    ['RA officer', [StaffRole.RA_OFFICER], ['/ra/subscribers', '/ra/certificates']],
    ['auditor', [StaffRole.AUDITOR], ['/contracts', '/ra/subscribers', '/archive', '/archive/verify']],
    ['administrator', [StaffRole.ADMIN], ['/contracts', '/admin/staff', '/admin/signing-identities']],
    ['operations', [StaffRole.OPERATIONS], []],
  ];

  it.each(cases)(
    'offers the %s exactly the pages of the role, each of which opens',
    async (_, roles, pages) => {
      const who = roles === 'subscriber' ? await createSubscriber(t) : await createStaff(t, roles);
      const home = await page(who, '/home').expect(200);
      expect(navOf(home.text).sort()).toEqual([...COMMON, ...pages].sort());
      expect(homeOf(home.text).sort()).toEqual([...pages, '/password/change'].sort());
      for (const href of pages) {
        const r = await page(who, href);
        expect([href, r.status]).toEqual([href, 200]);
      }
    },
  );

  it('lists a page once when a module adds its own links to the common navigation', async () => {
    const auditor = await createStaff(t, [StaffRole.AUDITOR]);
    const nav = navOf((await page(auditor, '/contracts').expect(200)).text);
    expect(nav.filter((h) => h === '/contracts')).toHaveLength(1);
    expect(nav).toEqual(expect.arrayContaining(['/archive', '/ra/subscribers', '/home']));
  });
});
