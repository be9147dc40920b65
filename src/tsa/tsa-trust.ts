import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { AppError } from '../common/errors/app-error';
import { pemToDerList } from './domain/tsa-key';
import { TsaTrust } from './time-stamp-acceptance';
import { TsaErrorCode } from './tsa.errors';

/**
 * Reads TSA_TRUST_ANCHORS (comma-separated PEM files): self-signed certificates become trust
 * anchors, the others (intermediates, a TSA certificate) are offered for path building.
 */
export async function loadTrustFiles(spec: string, cwd = process.cwd()): Promise<TsaTrust> {
  const trust: TsaTrust = { anchors: [], certificates: [] };
  for (const file of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    let pem: string;
    try {
      pem = await readFile(path.resolve(cwd, file), 'utf8');
    } catch (e) {
      throw AppError.unavailable(
        TsaErrorCode.BAD_CONFIGURATION,
        `TSA_TRUST_ANCHORS: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const ders = pemToDerList(pem);
    if (!ders.length)
      throw AppError.unavailable(
        TsaErrorCode.BAD_CONFIGURATION,
        `TSA_TRUST_ANCHORS: no certificate in ${file}`,
      );
    for (const der of ders) {
      const x = new X509Certificate(der);
      (x.checkIssued(x) && x.verify(x.publicKey) ? trust.anchors : trust.certificates).push(der);
    }
  }
  return trust;
}
