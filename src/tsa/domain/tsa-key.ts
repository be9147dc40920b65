import { KeyObject, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';

export type TsaKeyType = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-3072';

export interface GeneratedTsaKey {
  privateKey: KeyObject;
  pkcs8Der: Buffer;
  spkiDer: Buffer;
}

const generate = promisify(generateKeyPair);

/** A fresh TSA key (CRYPTREC e-Government recommended algorithms only). */
export async function generateTsaKey(type: TsaKeyType): Promise<GeneratedTsaKey> {
  const { privateKey, publicKey } =
    type === 'rsa-3072'
      ? await generate('rsa', { modulusLength: 3072 })
      : await generate('ec', { namedCurve: type === 'ecdsa-p384' ? 'P-384' : 'P-256' });
  return {
    privateKey,
    pkcs8Der: privateKey.export({ type: 'pkcs8', format: 'der' }),
    spkiDer: publicKey.export({ type: 'spki', format: 'der' }),
  };
}

export function pemToDerList(pem: string): Buffer[] {
  const out: Buffer[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) out.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
  return out;
}

export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
