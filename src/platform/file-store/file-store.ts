import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fsyncDir, writeFileAtomic } from '../fs.util';

export interface StoredObject {
  sha256: string;
  size: number;
}

/**
 * Content-addressed store of immutable objects (archived originals and their versions).
 * An object's name is the SHA-256 of its bytes; once written it is never overwritten or changed.
 */
export abstract class FileStore {
  abstract put(data: Uint8Array): Promise<StoredObject>;
  abstract putStream(data: Readable): Promise<StoredObject>;
  abstract get(sha256: string): Promise<Buffer>;
  abstract openRead(sha256: string): Readable;
  abstract has(sha256: string): Promise<boolean>;
  /** Recomputes the object's hash; false when its bytes no longer match its name. */
  abstract verify(sha256: string): Promise<boolean>;
}

const HEX64 = /^[0-9a-f]{64}$/;

export class LocalFileStore extends FileStore {
  constructor(private readonly root: string) {
    super();
  }

  pathOf(sha256: string): string {
    if (!HEX64.test(sha256)) throw new Error('invalid object id');
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(data: Uint8Array): Promise<StoredObject> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    // An object already stored is found by link() failing with EEXIST (one call fewer per new
    // object than asking first).
    await writeFileAtomic(this.pathOf(sha256), data, { exclusive: true, mode: 0o440 });
    return { sha256, size: data.byteLength };
  }

  async putStream(data: Readable): Promise<StoredObject> {
    const tmpDir = path.join(this.root, 'incoming');
    await fs.mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `.tmp-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        data,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(tmp, { flags: 'wx', mode: 0o440 }),
      );
      const handle = await fs.open(tmp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
    const sha256 = hash.digest('hex');
    const target = this.pathOf(sha256);
    try {
      await fs.mkdir(path.dirname(target), { recursive: true });
      try {
        await fs.link(tmp, target);
        await fsyncDir(path.dirname(target));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    } finally {
      await fs.rm(tmp, { force: true });
    }
    return { sha256, size };
  }

  async get(sha256: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(sha256));
  }

  openRead(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await fs.access(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async verify(sha256: string): Promise<boolean> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of this.openRead(sha256)) hash.update(chunk as Buffer);
    } catch {
      return false;
    }
    return hash.digest('hex') === sha256;
  }
}
