import * as path from 'node:path';

/**
 * The shared material beside the repository (`../shared`: fixtures from other producers and the
 * independent verification tools). `SHARED_DIR` overrides the location.
 */
export const SHARED_DIR = process.env.SHARED_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared');

export function sharedPath(relative: string): string {
  return path.join(SHARED_DIR, relative);
}
