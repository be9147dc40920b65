import { constants, KeyObject, sign as cryptoSign, X509Certificate } from 'node:crypto';
import { algorithmId, ctx, integer, oid as derOid, seq, tlv } from '../../tsa/domain/der';
import { PadesError, PadesErrorCode } from '../pades.errors';
import { DIGEST_OIDS, DigestAlgorithm, OID } from './oids';

/**
 * The signing port: whoever holds the private key (a PIN-unlocked key from the PKI module, a
 * PKCS#12 file, later an HSM) implements it. The CMS builder never sees the key itself.
 */
export interface CmsSigner {
  /** DER of the signing certificate. */
  readonly certificate: Uint8Array;
  /** DER of the issuing chain, nearest issuer first (the root may be included or not). */
  readonly chain: readonly Uint8Array[];
  readonly digestAlgorithm: DigestAlgorithm;
  /** DER of the CMS SignerInfo.signatureAlgorithm this signer produces. */
  signatureAlgorithm(): Uint8Array;
  /** An upper bound of the signature length in bytes (sizes the /Contents placeholder). */
  readonly maxSignatureLength: number;
  /** Signs `data` (the DER of the signed attributes): hashes with `digestAlgorithm` and signs. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

export type RsaPadding = 'pkcs1' | 'pss';

const EC_FIELD_BYTES: Record<string, number> = { prime256v1: 32, secp384r1: 48, secp521r1: 66 };

/**
 * A CmsSigner over a node KeyObject: RSA (PKCS#1 v1.5 or PSS) and ECDSA (P-256/384/521,
 * signatures DER-encoded as RFC 5753 §7.2 requires for CMS).
 */
export class KeyObjectSigner implements CmsSigner {
  readonly maxSignatureLength: number;
  readonly digestAlgorithm: DigestAlgorithm;
  private readonly keyType: 'rsa' | 'ec';

  constructor(
    private readonly key: KeyObject,
    readonly certificate: Uint8Array,
    readonly chain: readonly Uint8Array[] = [],
    options: { digestAlgorithm?: DigestAlgorithm; rsaPadding?: RsaPadding } = {},
  ) {
    if (key.type !== 'private')
      throw new PadesError(PadesErrorCode.SIGNING_KEY_INVALID, 'a private key is required');
    const cert = new X509Certificate(certificate);
    if (!cert.checkPrivateKey(key))
      throw new PadesError(
        PadesErrorCode.SIGNING_KEY_INVALID,
        'the private key does not match the certificate',
      );
    const details = key.asymmetricKeyDetails ?? {};
    if (key.asymmetricKeyType === 'rsa') {
      this.keyType = 'rsa';
      this.maxSignatureLength = Math.ceil((details.modulusLength ?? 0) / 8);
      this.rsaPadding = options.rsaPadding ?? 'pkcs1';
      this.digestAlgorithm = options.digestAlgorithm ?? 'sha256';
    } else if (key.asymmetricKeyType === 'rsa-pss') {
      this.keyType = 'rsa';
      this.maxSignatureLength = Math.ceil((details.modulusLength ?? 0) / 8);
      this.rsaPadding = 'pss';
      this.digestAlgorithm = options.digestAlgorithm ?? 'sha256';
    } else if (key.asymmetricKeyType === 'ec') {
      this.keyType = 'ec';
      const n = EC_FIELD_BYTES[details.namedCurve ?? ''];
      if (!n)
        throw new PadesError(
          PadesErrorCode.SIGNING_KEY_INVALID,
          `unsupported EC curve ${details.namedCurve ?? '?'}`,
        );
      // SEQUENCE { INTEGER r, INTEGER s }: each at most n+1 content bytes, headers up to 3+2+2.
      this.maxSignatureLength = 2 * (n + 1) + 4 + 3;
      this.rsaPadding = 'pkcs1';
      this.digestAlgorithm =
        options.digestAlgorithm ?? (n === 32 ? 'sha256' : n === 48 ? 'sha384' : 'sha512');
    } else {
      throw new PadesError(
        PadesErrorCode.SIGNING_KEY_INVALID,
        `unsupported key type ${key.asymmetricKeyType ?? '?'} (RSA or ECDSA required)`,
      );
    }
  }

  private readonly rsaPadding: RsaPadding;

  signatureAlgorithm(): Uint8Array {
    return signatureAlgorithmIdentifier(this.keyType, this.digestAlgorithm, this.rsaPadding);
  }

  sign(data: Uint8Array): Promise<Uint8Array> {
    const digestLen = { sha256: 32, sha384: 48, sha512: 64 }[this.digestAlgorithm];
    const sig =
      this.keyType === 'rsa'
        ? cryptoSign(this.digestAlgorithm, data, {
            key: this.key,
            padding:
              this.rsaPadding === 'pss' ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING,
            saltLength: this.rsaPadding === 'pss' ? digestLen : undefined,
          })
        : cryptoSign(this.digestAlgorithm, data, { key: this.key, dsaEncoding: 'der' });
    return Promise.resolve(new Uint8Array(sig));
  }
}

/** Encodings already made: a handful of (key type, digest, padding) combinations exist. */
const algorithmIdentifiers = new Map<string, Uint8Array>();

/** DER AlgorithmIdentifier of the signature (RFC 5754 §3.2/§3.3, RFC 4055 §3.1 for PSS). */
export function signatureAlgorithmIdentifier(
  keyType: 'rsa' | 'ec',
  digest: DigestAlgorithm,
  padding: RsaPadding = 'pkcs1',
): Uint8Array {
  const key = `${keyType}/${digest}/${padding}`;
  let der = algorithmIdentifiers.get(key);
  if (!der) {
    der = encodeSignatureAlgorithm(keyType, digest, padding);
    algorithmIdentifiers.set(key, der);
  }
  return new Uint8Array(der); // the caller's own copy
}

function encodeSignatureAlgorithm(
  keyType: 'rsa' | 'ec',
  digest: DigestAlgorithm,
  padding: RsaPadding,
): Uint8Array {
  if (keyType === 'ec') {
    const oid = { sha256: OID.ecdsaWithSha256, sha384: OID.ecdsaWithSha384, sha512: OID.ecdsaWithSha512 }[
      digest
    ];
    return algorithmId(oid);
  }
  if (padding === 'pss') {
    const hash = algorithmId(DIGEST_OIDS[digest], true);
    const salt = { sha256: 32, sha384: 48, sha512: 64 }[digest];
    const params = seq(
      tlv(ctx(0), hash),
      tlv(ctx(1), seq(derOid(OID.mgf1), hash)),
      tlv(ctx(2), integer(salt)),
    );
    return seq(derOid(OID.rsassaPss), params);
  }
  const oid = { sha256: OID.sha256WithRSA, sha384: OID.sha384WithRSA, sha512: OID.sha512WithRSA }[digest];
  return algorithmId(oid, true);
}
