import { generateKeyPairSync, verify } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { SigningThread } from './signing-thread';

describe('SigningThread', () => {
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  let thread: SigningThread;

  beforeEach(() => (thread = new SigningThread()));
  afterEach(() => thread.close());

  it('signs jobs for several keys in one turn, each with its own key and digest', async () => {
    const jobs = Array.from({ length: 40 }, (_, i) => ({
      data: Buffer.from(`signed attributes ${i}`),
      key: i % 2 ? p384 : p256,
      digest: i % 2 ? 'sha384' : 'sha256',
    }));
    const sigs = await Promise.all(jobs.map((j) => thread.sign(j.digest, j.data, j.key.privateKey)));
    expect(thread.backlog).toBe(0);
    sigs.forEach((sig, i) => {
      const j = jobs[i];
      expect(verify(j.digest, j.data, j.key.publicKey, sig)).toBe(true);
      expect(verify(j.digest, Buffer.from('other'), j.key.publicKey, sig)).toBe(false);
    });
  });

  it('rejects a job the thread cannot do, and the others still succeed', async () => {
    const good = thread.sign('sha256', Buffer.from('a'), p256.privateKey);
    const bad = thread.sign('no-such-digest', Buffer.from('b'), p256.privateKey);
    await expect(bad).rejects.toThrow();
    expect(verify('sha256', Buffer.from('a'), p256.publicKey, await good)).toBe(true);
  });

  it('rejects pending jobs when the thread dies, then starts a new thread with the keys sent again', async () => {
    await thread.sign('sha256', Buffer.from('warm'), p256.privateKey);
    const worker = (thread as unknown as { worker: Worker }).worker;
    const pending = thread.sign('sha256', Buffer.from('x'), p256.privateKey);
    // The thread fails before answering (as an uncaught error in it would be reported).
    worker.emit('error', new Error('boom'));
    await worker.terminate();
    await expect(pending).rejects.toThrow(/signing thread/);
    const again = await thread.sign('sha256', Buffer.from('after'), p256.privateKey);
    expect(verify('sha256', Buffer.from('after'), p256.publicKey, again)).toBe(true);
  });

  it('refuses work after close', async () => {
    await thread.close();
    await expect(thread.sign('sha256', Buffer.from('late'), p256.privateKey)).rejects.toThrow(/closed/);
  });
});
