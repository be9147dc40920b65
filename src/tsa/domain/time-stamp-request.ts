import { randomBytes } from 'node:crypto';
import {
  DerError,
  Node,
  Tag,
  algorithmId,
  bool,
  children,
  ctx,
  expectTag,
  integer,
  octetString,
  oid,
  readBoolean,
  readInteger,
  readOid,
  readOne,
  seq,
} from './der';
import { HashInfo, hashByOid } from './oids';

/** RFC 3161 §2.4.1 TimeStampReq, as parsed and validated by the TSA. */
export interface ParsedTimeStampRequest {
  hash: HashInfo;
  hashedMessage: Buffer;
  /** The MessageImprint exactly as received: RFC 3161 §2.4.2 requires it echoed unchanged. */
  messageImprintDer: Buffer;
  reqPolicy?: string;
  /** Content octets of the nonce INTEGER (echoed as given), and its value. */
  nonceContent?: Buffer;
  nonce?: bigint;
  certReq: boolean;
}

/** PKIFailureInfo bits (RFC 3161 §2.4.2). */
export enum PkiFailureInfo {
  badAlg = 0,
  badRequest = 2,
  badDataFormat = 5,
  timeNotAvailable = 14,
  unacceptedPolicy = 15,
  unacceptedExtension = 16,
  addInfoNotAvailable = 17,
  systemFailure = 25,
}

/** A request the TSA refuses with a PKIStatusInfo rejection (never an HTTP error). */
export class TimeStampRequestRejected extends Error {
  constructor(
    readonly failInfo: PkiFailureInfo,
    message: string,
  ) {
    super(message);
    this.name = 'TimeStampRequestRejected';
  }
}

const MAX_NONCE_OCTETS = 64;
const WEAK_HASHES: Record<string, string> = { '1.3.14.3.2.26': 'SHA-1', '1.2.840.113549.2.5': 'MD5' };

/** Parses and validates a DER TimeStampReq; throws TimeStampRequestRejected with the fitting failInfo. */
export function parseTimeStampRequest(der: Uint8Array): ParsedTimeStampRequest {
  let items: Node[];
  try {
    items = children(readOne(Buffer.from(der.buffer, der.byteOffset, der.byteLength), Tag.SEQUENCE));
  } catch (e) {
    throw new TimeStampRequestRejected(PkiFailureInfo.badDataFormat, `not a DER TimeStampReq: ${msg(e)}`);
  }
  try {
    const version = readInteger(expectTag(items[0], Tag.INTEGER, 'version'));
    if (version !== 1n)
      throw new TimeStampRequestRejected(PkiFailureInfo.badRequest, `unsupported version ${version}`);
    const imprint = expectTag(items[1], Tag.SEQUENCE, 'messageImprint');
    const [algId, hashed, ...rest] = children(imprint);
    if (rest.length) throw new DerError('messageImprint has extra fields');
    const algParts = children(expectTag(algId, Tag.SEQUENCE, 'hashAlgorithm'));
    const algOid = readOid(expectTag(algParts[0], Tag.OID, 'hashAlgorithm.algorithm'));
    // Parameters absent or NULL (RFC 5754 §2).
    if (algParts.length > 2 || (algParts[1] && (algParts[1].tag !== Tag.NULL || algParts[1].content.length)))
      throw new DerError('hashAlgorithm parameters must be absent or NULL');
    const hash = hashByOid(algOid);
    if (!hash) {
      const weak = WEAK_HASHES[algOid];
      throw new TimeStampRequestRejected(
        PkiFailureInfo.badAlg,
        weak
          ? `${weak} is not accepted; use SHA-256, SHA-384 or SHA-512`
          : `unsupported hash algorithm ${algOid}`,
      );
    }
    const hashedMessage = expectTag(hashed, Tag.OCTET_STRING, 'hashedMessage').content;
    if (hashedMessage.length !== hash.length)
      throw new TimeStampRequestRejected(
        PkiFailureInfo.badDataFormat,
        `${hash.name} imprint must be ${hash.length} bytes, got ${hashedMessage.length}`,
      );
    const req: ParsedTimeStampRequest = {
      hash,
      hashedMessage: Buffer.from(hashedMessage),
      messageImprintDer: Buffer.from(imprint.raw),
      certReq: false,
    };
    let i = 2;
    if (items[i]?.tag === Tag.OID) req.reqPolicy = readOid(items[i++]);
    if (items[i]?.tag === Tag.INTEGER) {
      const n = items[i++];
      if (n.content.length > MAX_NONCE_OCTETS) throw new DerError('nonce too long');
      readIntegerMinimal(n);
      req.nonceContent = Buffer.from(n.content);
      req.nonce = BigInt.asIntN(n.content.length * 8, BigInt(`0x${n.content.toString('hex')}`));
    }
    if (items[i]?.tag === Tag.BOOLEAN) {
      req.certReq = readBoolean(items[i++]);
      // DER: a DEFAULT value is never encoded (X.690 §11.5); tolerated, as OpenSSL and others do.
    }
    if (items[i]?.tag === ctx(0)) {
      throw new TimeStampRequestRejected(
        PkiFailureInfo.unacceptedExtension,
        'request extensions are not supported',
      );
    }
    if (i !== items.length) throw new DerError('unexpected fields in TimeStampReq');
    return req;
  } catch (e) {
    if (e instanceof TimeStampRequestRejected) throw e;
    throw new TimeStampRequestRejected(PkiFailureInfo.badDataFormat, `malformed TimeStampReq: ${msg(e)}`);
  }
}

function readIntegerMinimal(n: Node): void {
  const c = n.content;
  if (c.length === 0) throw new DerError('empty INTEGER');
  if (c.length > 1 && ((c[0] === 0 && !(c[1] & 0x80)) || (c[0] === 0xff && c[1] & 0x80)))
    throw new DerError('non-minimal INTEGER');
}

/** A fresh 64-bit positive nonce (RFC 3161 §2.4.1: a large random number, e.g. 64 bits). */
export function newNonce(): bigint {
  return BigInt(`0x${randomBytes(8).toString('hex')}`) & 0x7fffffffffffffffn;
}

/** Encodes a TimeStampReq (client side). */
export function encodeTimeStampRequest(input: {
  hash: HashInfo;
  digest: Uint8Array;
  nonce?: bigint;
  certReq?: boolean;
  policy?: string;
}): Buffer {
  if (input.digest.length !== input.hash.length)
    throw new RangeError(`${input.hash.name} digest must be ${input.hash.length} bytes`);
  const parts: Buffer[] = [integer(1), seq(algorithmId(input.hash.oid), octetString(input.digest))];
  if (input.policy) parts.push(oid(input.policy));
  if (input.nonce !== undefined) parts.push(integer(input.nonce));
  if (input.certReq) parts.push(bool(true));
  return seq(...parts);
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
