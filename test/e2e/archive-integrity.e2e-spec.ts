import { Command } from 'commander';
import { DataSource } from 'typeorm';
import { registerArchiveCommands } from '../../src/archive/archive.cli';
import { ArchiveVersionEntity } from '../../src/archive/archive.entities';
import { RestampOriginals } from '../../src/archive/restamp-originals.usecase';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { PadesEngine } from '../../src/pades/pades-engine.service';
import { signatureSpec } from '../../src/pades/domain/signature-spec';
import { KeyObjectSigner } from '../../src/pades/domain/signer';
import {
  archiveOriginal,
  createTestSigner,
  fixturePdf,
  signedOriginal,
  tamperStoredObject,
} from '../helpers/archive';
import { createPadesFixture } from '../helpers/pades';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

/** `archive verify`: every version's hash, the version chain and validation of the current original. */
describe('archive verify (integrity audit CLI)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => destroyTestApp(t));

  async function run(...args: string[]): Promise<{ out: string; exitCode: number }> {
    const program = new Command().exitOverride();
    registerArchiveCommands(program, () => Promise.resolve(t.app));
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    process.exitCode = undefined;
    try {
      await program.parseAsync(['node', 'cli', ...args]);
    } finally {
      spy.mockRestore();
      errSpy.mockRestore();
    }
    const exitCode = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return { out: out.join(''), exitCode };
  }

  it('passes on an intact archive, reports a changed byte with exit 1 and audits it', async () => {
    const signer = await createTestSigner(t);
    const signed = await signedOriginal(t, signer);
    const good = await archiveOriginal(t, signer, {}, signed);
    const other = await archiveOriginal(t, signer);
    await t.app.get(RestampOriginals).execute({ mode: 'all', trigger: 'cli', actor: 'test' });

    for (const o of [good, other]) {
      const clean = await run('archive', 'verify', o.original.id);
      expect(clean.exitCode).toBe(0);
      expect(clean.out).toContain('archive intact: 1 original(s), 2 version(s), 0 problem(s)');
    }

    // Change one byte of version 1 of the second original (an old version: still checked).
    const v1 = await t.app
      .get(DataSource)
      .getRepository(ArchiveVersionEntity)
      .findOneByOrFail({ originalId: other.original.id, version: 1 });
    tamperStoredObject(t, v1.sha256, 2000);

    const all = await run('archive', 'verify', '--all', '--json');
    expect(all.exitCode).toBe(1);
    const r = JSON.parse(all.out) as { problems: { contractId: string; version?: number; kind: string }[] };
    const mine = [good.original.contractId, other.original.contractId];
    expect(r.problems.filter((p) => mine.includes(p.contractId))).toEqual([
      expect.objectContaining({ contractId: other.original.contractId, version: 1, kind: 'hash-mismatch' }),
    ]);
    const one = await run('archive', 'verify', good.original.contractId);
    expect(one.exitCode).toBe(0);
    const bad = await run('archive', 'verify', other.original.id);
    expect(bad.exitCode).toBe(1);
    expect(bad.out).toContain('hash-mismatch');
    expect(bad.out).toContain('INTEGRITY PROBLEMS FOUND');
    const audited = await t.app.get(AuditLog).list({ action: 'archive.integrity.failed' });
    expect(audited[0]).toMatchObject({ subject: `archive-original:${other.original.id}` });
  });

  it('reports a tampered current version', async () => {
    const signer = await createTestSigner(t);
    const { original } = await archiveOriginal(t, signer);
    tamperStoredObject(t, original.currentSha256, 500);
    const r = await run('archive', 'verify', original.id, '--json');
    expect(r.exitCode).toBe(1);
    const body = JSON.parse(r.out) as { problems: { kind: string }[] };
    expect(body.problems.map((p) => p.kind)).toEqual(['hash-mismatch']);
  });

  it('reports a current original that hashes right but no longer validates (untrusted signer)', async () => {
    const fx = await createPadesFixture(new Date());
    const foreign = new KeyObjectSigner(fx.signer.key, fx.signer.cert, [fx.pki.root.cert]);
    const pdf = (await t.app.get(PadesEngine).sign(fixturePdf(), signatureSpec({ level: 'B-T' }), foreign))
      .bytes;
    const { original } = await archiveOriginal(t, await createTestSigner(t), {}, pdf);
    const r = await run('archive', 'verify', original.id, '--json');
    expect(r.exitCode).toBe(1);
    const body = JSON.parse(r.out) as { problems: { kind: string; detail: string }[] };
    expect(body.problems.map((p) => p.kind)).toEqual(['validation-failed']);
  });

  it('refuses an unknown id and contradictory options', async () => {
    await expect(run('archive', 'verify', '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'ARCHIVE_ORIGINAL_NOT_FOUND',
    });
    await expect(run('archive', 'restamp', '--due', '--all')).rejects.toThrow('exclude each other');
    await expect(run('archive', 'restamp', '--limit', '0')).rejects.toThrow();
  });
});
