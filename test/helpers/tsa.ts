import * as x509 from '@peculiar/x509';
import { KeyObject, createPublicKey, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface TestTsaCredential {
  privateKey: KeyObject;
  certificate: Uint8Array;
  chain: Uint8Array[];
}

export type EkuMode = 'critical' | 'non-critical' | 'absent' | 'extra-purpose';

/**
 * A throw-away CA for TSA tests (the real one lives in src/pki): a self-signed root and TSA
 * certificates with a chosen extendedKeyUsage shape, to show the verifier refuses the wrong ones.
 */
export class TestCa {
  private constructor(
    readonly name: string,
    private readonly keys: CryptoKeyPair,
    readonly root: x509.X509Certificate,
  ) {}

  static async create(name = 'Test Root CA', notBefore = new Date(Date.now() - 86_400_000)): Promise<TestCa> {
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      name: `CN=${name}, O=Test`,
      keys,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 30 * 365 * 86_400_000),
      signingAlgorithm: SIGN,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return new TestCa(name, keys, root);
  }

  get rootDer(): Uint8Array {
    return new Uint8Array(this.root.rawData);
  }

  get rootPem(): string {
    return this.root.toString('pem');
  }

  /** Issues a certificate for a given public key (SPKI DER), as the PKI module's issuer would. */
  async issue(input: {
    commonName: string;
    publicKeySpki: Uint8Array;
    notBefore: Date;
    notAfter: Date;
    eku?: EkuMode;
  }): Promise<Uint8Array> {
    const publicKey = await webcrypto.subtle.importKey(
      'spki',
      input.publicKeySpki,
      spkiAlgorithm(input.publicKeySpki),
      true,
      ['verify'],
    );
    const eku = input.eku ?? 'critical';
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.AuthorityKeyIdentifierExtension.create(this.keys.publicKey),
    ];
    if (eku === 'critical') extensions.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.8'], true));
    if (eku === 'non-critical')
      extensions.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.8'], false));
    if (eku === 'extra-purpose')
      extensions.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.8', '1.3.6.1.5.5.7.3.4'], true));
    const cert = await x509.X509CertificateGenerator.create({
      subject: `CN=${input.commonName}, O=Test`,
      issuer: this.root.subject,
      publicKey,
      signingKey: this.keys.privateKey,
      notBefore: input.notBefore,
      notAfter: input.notAfter,
      signingAlgorithm: SIGN,
      extensions,
    });
    return new Uint8Array(cert.rawData);
  }

  /** A fresh P-256 TSA key with a certificate from this CA. */
  async tsaCredential(
    options: { eku?: EkuMode; notBefore?: Date; notAfter?: Date; commonName?: string } = {},
  ): Promise<TestTsaCredential> {
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
    const notBefore = options.notBefore ?? new Date(Date.now() - 3_600_000);
    const certificate = await this.issue({
      commonName: options.commonName ?? 'Test TSA',
      publicKeySpki: spki,
      notBefore,
      notAfter: options.notAfter ?? new Date(notBefore.getTime() + 5 * 365 * 86_400_000),
      eku: options.eku,
    });
    return { privateKey: KeyObject.from(keys.privateKey), certificate, chain: [this.rootDer] };
  }
}

function spkiAlgorithm(spki: Uint8Array): EcKeyImportParams | RsaHashedImportParams {
  const obj = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  if (obj.asymmetricKeyType === 'ec') {
    const curve = obj.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : 'P-256';
    return { name: 'ECDSA', namedCurve: curve };
  }
  return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}
