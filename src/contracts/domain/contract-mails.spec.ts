import { completedMail, reminderMail, signatureRequestedMail } from './contract-mails';

const FACTS = { bankName: 'さくら信用金庫', title: '金銭消費貸借契約証書', deadline: null };
const CONTRACTS = 'https://ec.example.jp/my/contracts';
const PERSONAL = 'https://ec.example.jp/login/Xk3v9QmP2rT7wYb1Lc8dNf';

describe('contract mails: the personal login URL (EC-07)', () => {
  it('puts the personal login URL into the turn notice and the reminder', () => {
    for (const make of [signatureRequestedMail, reminderMail]) {
      const m = make(
        'a@example.jp',
        '電子 太郎',
        { personalLoginUrl: PERSONAL, contractsUrl: CONTRACTS },
        FACTS,
      );
      expect(m.text.split('\n')).toContain(PERSONAL);
      expect(m.text).not.toContain('ご登録時にお知らせした');
      expect(m.text).toContain(CONTRACTS);
    }
  });

  it('falls back to the wording of registration when the URL is not known', () => {
    for (const make of [signatureRequestedMail, reminderMail]) {
      const m = make('a@example.jp', '電子 太郎', { contractsUrl: CONTRACTS }, FACTS);
      expect(m.text).toContain('ご登録時にお知らせした「お客さま専用ログインURL」');
      expect(m.text).not.toMatch(/\/login\//);
    }
  });

  it('never puts a personal login URL into the completion notice (it also goes to staff)', () => {
    const m = completedMail('a@example.jp', '電子 太郎', CONTRACTS, { ...FACTS, copyDays: 30 });
    expect(m.text).not.toMatch(/\/login\//);
    expect(m.text).toContain(CONTRACTS);
  });
});
