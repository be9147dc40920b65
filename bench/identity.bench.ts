import { dummyPasswordHash, verifyPassword } from '../src/common/crypto/secrets';
import { StaffRole } from '../src/identity/auth/principal';
import { RegisterSubscriber } from '../src/ra/register-subscriber.usecase';
import { BenchMail, bootBenchApp, figure, pool, timed } from './bench-util';

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await r.json()) as Record<string, unknown>;
  if (!r.ok) throw new Error(`${url}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

/**
 * `npm run bench -- identity [logins] [concurrency] [requests]`: full logins per second over HTTP
 * on loopback (POST /api/auth/login with Argon2id verification, OTP mailed to an in-memory
 * sender, POST /api/auth/otp), authenticated requests per second (session lookup on GET /api/me),
 * and the raw Argon2id verification rate as the floor. SQLite unless DATABASE_URL is set.
 */
export async function run(args: string[]): Promise<void> {
  const logins = Number(args[0] ?? 200);
  const concurrency = Number(args[1] ?? 8);
  const requests = Number(args[2] ?? 5000);
  // Keeps the last OTP per recipient in memory: the benchmark measures identity, not mail delivery.
  const mail = new BenchMail((m) => {
    const code = /ワンタイムパスワード: (\d{6})/.exec(m.text)?.[1];
    return code ? [m.to, code] : undefined;
  });
  const { app, config, base, close } = await bootBenchApp({
    name: 'identity',
    env: { RATE_LIMIT_PER_MINUTE: '1000000' },
    overrides: { mail },
    listen: true,
  });
  try {
    // Floor: one Argon2id verification per login.
    const hash = await dummyPasswordHash();
    const n = 50;
    const argonMs =
      (await timed(async () => {
        for (let i = 0; i < n; i++) await verifyPassword(hash, 'not-the-password');
      })) / n;

    const officer = {
      kind: 'staff' as const,
      id: '00000000-0000-4000-8000-000000000000',
      loginId: 'bench',
      name: 'bench',
      email: 'bench@example.jp',
      roles: [StaffRole.RA_OFFICER],
      sessionId: 'bench',
    };
    const people: { email: string; loginId: string; password: string; loginKey: string }[] = [];
    for (let i = 0; i < Math.min(logins, 50); i++) {
      const email = `bench-${i}@example.jp`;
      const r = await app.get(RegisterSubscriber).execute(officer, {
        kind: 'individual',
        name: `ベンチ ${i}`,
        nameKana: 'ベンチ',
        email,
        identityVerification: {
          documentType: 'drivers_license',
          documentNumberLast4: '0000',
          verifiedAt: new Date().toISOString(),
        },
      });
      people.push({
        email,
        loginId: r.loginId,
        password: r.temporaryPassword,
        loginKey: r.loginUrl.split('/login/')[1],
      });
    }
    const tokens: string[] = [];
    const attempts = Array.from({ length: logins }, (_, i) => people[i % people.length]);
    const loginMs = await pool(attempts, concurrency, async (p) => {
      const { challengeId } = await post(`${base}/api/auth/login`, {
        loginKey: p.loginKey,
        loginId: p.loginId,
        password: p.password,
      });
      const otp = mail.captured.get(p.email)!;
      const s = await post(`${base}/api/auth/otp`, { challengeId, otp });
      tokens.push(String(s.token));
    });

    const calls = Array.from({ length: requests }, (_, i) => tokens[i % tokens.length]);
    const meMs = await pool(calls, 32, async (token) => {
      const r = await fetch(`${base}/api/me`, { headers: { Authorization: `Bearer ${token}` } });
      if (r.status !== 200) throw new Error(`/api/me ${r.status}`);
      await r.arrayBuffer();
    });

    const healthMs = await pool(calls, 32, async () => {
      const r = await fetch(`${base}/health`);
      await r.arrayBuffer();
    });

    const db = config.database.type;
    figure(
      [
        `database: ${db}`,
        `argon2id verify (floor): ${argonMs.toFixed(1)} ms each, ${(1000 / argonMs).toFixed(0)}/s on one thread`,
        `full login (password + OTP, 2 HTTP calls): ${logins} in ${(loginMs / 1000).toFixed(2)} s at concurrency ${concurrency} = ${((logins * 1000) / loginMs).toFixed(1)} logins/s, ${(loginMs / logins).toFixed(1)} ms/login amortised`,
        `authenticated GET /api/me: ${requests} in ${(meMs / 1000).toFixed(2)} s at concurrency 32 = ${((requests * 1000) / meMs).toFixed(0)} req/s`,
        `baseline GET /health (same stack, no session): ${((requests * 1000) / healthMs).toFixed(0)} req/s`,
      ].join('\n'),
    );
  } finally {
    await close();
  }
}
