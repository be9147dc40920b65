import { spawn } from 'node:child_process';
import { transformFileSync } from '@swc/core';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { LocalFileStore } from './file-store/file-store';
import { sweepTemporaryFiles, writeFileAtomic } from './fs.util';
import { OutboxMailSender } from './mail/outbox-mail-sender';
import { SettableClock } from './clock/clock';

describe('atomic writes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves nothing when the write fails before the rename', async () => {
    const target = path.join(dir, 'a.bin');
    await expect(
      writeFileAtomic(target, 'data', {
        beforeRename: () => Promise.reject(new Error('disk gone')),
      }),
    ).rejects.toThrow('disk gone');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('creates missing folders and leaves only the target behind', async () => {
    const target = path.join(dir, 'ab', 'cd', 'obj');
    expect(await writeFileAtomic(target, 'linked', { exclusive: true })).toBe('written');
    const renamed = path.join(dir, 'ef', 'note.txt');
    expect(await writeFileAtomic(renamed, 'renamed')).toBe('written');
    expect(readdirSync(path.join(dir, 'ab', 'cd'))).toEqual(['obj']);
    expect(readdirSync(path.join(dir, 'ef'))).toEqual(['note.txt']);
    expect(readFileSync(target, 'utf8')).toBe('linked');
    expect(readFileSync(renamed, 'utf8')).toBe('renamed');
  });

  it('removes the temporary file when writing it fails', async () => {
    const target = path.join(dir, 'bad.bin');
    // A value writeFile refuses after the temporary file was opened.
    await expect(writeFileAtomic(target, 42 as unknown as string)).rejects.toThrow();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never overwrites an existing object when exclusive', async () => {
    const target = path.join(dir, 'obj');
    expect(await writeFileAtomic(target, 'first', { exclusive: true })).toBe('written');
    expect(await writeFileAtomic(target, 'second', { exclusive: true })).toBe('exists');
    expect(readFileSync(target, 'utf8')).toBe('first');
  });

  it('leaves no partial file when the process is killed mid-write', async () => {
    const target = path.join(dir, 'killed.eml');
    // Compile this very module for a child process, which writes through the temporary path and
    // is SIGKILLed after the data is on disk but before the rename.
    const compiled = path.join(dir, 'fs-util.js');
    writeFileSync(
      compiled,
      transformFileSync(path.join(__dirname, 'fs.util.ts'), {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      }).code,
    );
    const script = `
      const { writeFileAtomic } = require(${JSON.stringify(compiled)});
      writeFileAtomic(${JSON.stringify(target)}, Buffer.alloc(1 << 20, 65), {
        beforeRename: () => { process.stdout.write('ready\\n'); return new Promise(() => {}); },
      });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect(readdirSync(dir).some((n) => n.startsWith('.tmp-killed.eml'))).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    expect(existsSync(target)).toBe(false);
    expect(await sweepTemporaryFiles(dir)).toBe(1);
    expect(existsSync(target)).toBe(false);
  });

  it('sweeps temporary files left by a crash', async () => {
    await writeFileAtomic(path.join(dir, 'ok'), 'x');
    writeFileSync(path.join(dir, '.tmp-ok-deadbeef'), 'partial');
    expect(await sweepTemporaryFiles(dir)).toBe(1);
    expect(readdirSync(dir)).toEqual(['ok']);
  });
});

describe('LocalFileStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores by SHA-256, streams large objects and detects tampering', async () => {
    const store = new LocalFileStore(dir);
    const a = await store.put(Buffer.from('hello'));
    expect(a.sha256).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    const big = Buffer.alloc(3 << 20, 7);
    const b = await store.putStream(Readable.from([big.subarray(0, 1 << 20), big.subarray(1 << 20)]));
    expect(b.size).toBe(big.length);
    expect((await store.get(b.sha256)).equals(big)).toBe(true);
    expect(await store.verify(a.sha256)).toBe(true);
    const p = store.pathOf(a.sha256);
    chmodSync(p, 0o640);
    writeFileSync(p, 'hellO');
    expect(await store.verify(a.sha256)).toBe(false);
    expect(readdirSync(path.join(dir, 'incoming'))).toEqual([]);
  });
});

describe('OutboxMailSender', () => {
  it('writes a complete .eml and index entry', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'outbox-'));
    try {
      const outbox = new OutboxMailSender(
        dir,
        'Bank <bank@example.jp>',
        new SettableClock(new Date('2026-01-05T01:00:00Z')),
      );
      await outbox.send({ to: 'a@example.jp', subject: 'ワンタイムパスワード', text: '123456', tag: 'otp' });
      const [entry] = await outbox.list();
      expect(entry).toMatchObject({ to: 'a@example.jp', subject: 'ワンタイムパスワード', tag: 'otp' });
      const eml = readFileSync(path.join(dir, entry.file), 'utf8');
      expect(eml).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
      expect(eml).toMatch(/^To: a@example.jp/m);
      expect(readdirSync(dir).filter((n) => n.startsWith('.tmp'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
