import * as asn1js from 'asn1js';
import { webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';

/**
 * pkijs needs a WebCrypto engine for the few operations we let it do (PKCS#12 decryption and
 * MAC, test CA signing). Set once, idempotently, from node's own implementation.
 */
let engineSet = false;
export function ensurePkijsEngine(): void {
  if (engineSet) return;
  pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto }));
  engineSet = true;
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Parses DER into an asn1js tree, throwing a plain Error (callers map it) on garbage. */
export function parseDer(der: Uint8Array, what: string): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(der));
  if (parsed.offset === -1) throw new Error(`${what}: not valid DER (${parsed.result.error})`);
  return parsed.result;
}

export function der(value: { toSchema(): asn1js.AsnType } | asn1js.AsnType): Uint8Array {
  const schema = 'toSchema' in value && typeof value.toSchema === 'function' ? value.toSchema() : value;
  return new Uint8Array((schema as asn1js.AsnType).toBER(false));
}

export function certificateFromDer(bytes: Uint8Array): pkijs.Certificate {
  return new pkijs.Certificate({ schema: parseDer(bytes, 'certificate') });
}

/** Compares two byte arrays for equality (not secret data: no constant time needed). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
