import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * Writes a file so that readers see either nothing or the whole content: write to a temporary
 * name in the same folder, fsync it, rename over the target, fsync the folder. A crash at any
 * point leaves at most a `.tmp-*` file, which readers ignore and `sweepTemporaryFiles` removes.
 *
 * Every call below is a hand-off to libuv's thread pool, and on a busy archive re-stamp (hundreds
 * of objects a second) each hand-off costs a thread wake-up: the folder is created only when the
 * temporary file cannot be opened for lack of it, and the temporary name is removed with one
 * `unlink` (fs.rm would stat it first).
 */
export async function writeFileAtomic(
  target: string,
  data: Uint8Array | string,
  options: { exclusive?: boolean; mode?: number; beforeRename?: (tmpPath: string) => Promise<void> } = {},
): Promise<'written' | 'exists'> {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.tmp-${path.basename(target)}-${randomBytes(6).toString('hex')}`);
  const open = () => fs.open(tmp, 'wx', options.mode ?? 0o640);
  let handle: FileHandle;
  try {
    handle = await open();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await fs.mkdir(dir, { recursive: true });
    handle = await open();
  }
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (e) {
    // The write's error is the one to report; a leftover is swept at the next start.
    await handle.close().catch(() => undefined);
    await removeIfPresent(tmp).catch(() => undefined);
    throw e;
  }
  await handle.close();
  let tmpLeft = true;
  try {
    if (options.beforeRename) await options.beforeRename(tmp);
    if (options.exclusive) {
      // link() fails if the target exists: an object is never overwritten.
      try {
        await fs.link(tmp, target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
        throw e;
      }
    } else {
      await fs.rename(tmp, target);
      tmpLeft = false;
    }
    await fsyncDir(dir);
    return 'written';
  } finally {
    // After a link (or a failure) the temporary name is still there; after a rename it is gone.
    if (tmpLeft) await removeIfPresent(tmp);
  }
}

/** unlink, where a missing file is not an error. */
async function removeIfPresent(file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const h = await fs.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Removes temporary files left by a crash mid-write (called at start). */
export async function sweepTemporaryFiles(dir: string): Promise<number> {
  let removed = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) removed += await sweepTemporaryFiles(p);
    else if (e.name.startsWith('.tmp-')) {
      await fs.rm(p, { force: true });
      removed++;
    }
  }
  return removed;
}
