import { Logger } from '@nestjs/common';
import { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Signs `data` with `key` (hash name as for crypto.sign) and resolves with the signature. */
export type AsyncSign = (digest: string, data: Buffer, key: KeyObject) => Promise<Buffer>;

interface Job {
  id: number;
  keyId: number;
  digest: string;
  data: Buffer;
}

/**
 * One dedicated thread that signs. libuv's pool (crypto.sign with a callback) runs up to four
 * signatures at once; on a two-core host those threads take the CPU from the event loop that
 * builds and records the tokens, and the TSA issued fewer tokens per second than signing inline.
 * One thread adds exactly one core's worth of signing beside the event loop.
 *
 * Jobs requested in one turn of the event loop go to the thread in one message; the thread signs
 * them in order and answers with one message. Each private key (a KeyObject, cloned into the
 * thread) is sent once. If the thread fails, pending and later jobs are rejected and the caller
 * signs inline; a new thread is started on the next request.
 */
export class SigningThread {
  private readonly logger = new Logger('SigningThread');
  private worker?: Worker;
  private keyIds = new WeakMap<KeyObject, number>();
  private newKeys: [number, KeyObject][] = [];
  private outbox: Job[] = [];
  private readonly pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  private nextJob = 1;
  private nextKey = 1;
  private flushScheduled = false;
  private closed = false;

  /** Jobs handed to the thread and not answered yet. */
  get backlog(): number {
    return this.pending.size;
  }

  readonly sign: AsyncSign = (digest, data, key) =>
    new Promise<Buffer>((resolve, reject) => {
      if (this.closed) return reject(new Error('signing thread closed'));
      let keyId = this.keyIds.get(key);
      if (keyId === undefined) {
        keyId = this.nextKey++;
        this.keyIds.set(key, keyId);
        this.newKeys.push([keyId, key]);
      }
      const id = this.nextJob++;
      this.pending.set(id, { resolve, reject });
      this.outbox.push({ id, keyId, digest, data });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });

  /** Stops the thread; jobs not answered yet are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new Error('signing thread closed'));
    if (w) await w.terminate();
  }

  /** Sends the jobs queued so far now (otherwise they go at the end of this turn of the event loop). */
  flush(): void {
    this.flushScheduled = false;
    if (!this.outbox.length) return;
    const jobs = this.outbox;
    this.outbox = [];
    try {
      const w = this.thread();
      const keys = this.newKeys;
      this.newKeys = [];
      // The data go packed in one transferred buffer: a structured clone copies a Buffer's whole
      // backing store, which for pooled Buffers is an 8 KiB slab per job.
      const packed = new Uint8Array(jobs.reduce((n, j) => n + j.data.length, 0));
      const meta: [number, number, string, number][] = [];
      let offset = 0;
      for (const j of jobs) {
        packed.set(j.data, offset);
        offset += j.data.length;
        meta.push([j.id, j.keyId, j.digest, j.data.length]);
      }
      w.postMessage({ keys, meta, packed }, [packed.buffer]);
    } catch (e) {
      for (const j of jobs) this.settle(j.id, undefined, e instanceof Error ? e.message : String(e));
    }
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(SOURCE, { eval: true });
    w.unref();
    w.on('message', ({ answers, packed }: { answers: [number, number, string?][]; packed: Uint8Array }) => {
      const all = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
      let offset = 0;
      for (const [id, length, error] of answers) {
        this.settle(id, error === undefined ? all.subarray(offset, offset + length) : undefined, error);
        offset += length;
      }
    });
    const fail = (reason: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      // The next thread has no keys yet: every key is sent again.
      this.keyIds = new WeakMap();
      this.newKeys = [];
      this.logger.error(`${reason}; pending signatures are retried inline`);
      this.failAll(new Error(reason));
    };
    w.on('error', (e) => fail(`signing thread failed: ${e.message}`));
    w.on('exit', (code) => fail(`signing thread exited (${code})`));
    this.worker = w;
    return w;
  }

  private settle(id: number, sig: Buffer | undefined, error?: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (sig) p.resolve(sig);
    else p.reject(new Error(error ?? 'signing failed'));
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    this.outbox = [];
  }
}

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { sign } = require('node:crypto');
const keys = new Map();
parentPort.on('message', ({ keys: added, meta, packed }) => {
  for (const [id, key] of added) keys.set(id, key);
  const data = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  const answers = [];
  const signatures = [];
  let offset = 0;
  for (const [id, keyId, digest, length] of meta) {
    try {
      const sig = sign(digest, data.subarray(offset, offset + length), keys.get(keyId));
      answers.push([id, sig.length]);
      signatures.push(sig);
    } catch (e) {
      answers.push([id, 0, e && e.message ? e.message : String(e)]);
    }
    offset += length;
  }
  const out = new Uint8Array(signatures.reduce((n, s) => n + s.length, 0));
  let o = 0;
  for (const s of signatures) {
    out.set(s, o);
    o += s.length;
  }
  parentPort.postMessage({ answers, packed: out }, [out.buffer]);
});
`;
