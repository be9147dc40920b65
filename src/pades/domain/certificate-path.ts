import { hash, X509Certificate } from 'node:crypto';

/**
 * Certificate path building over a pool (CMS certificates, DSS /Certs, timestamp tokens) towards
 * configured trust anchors (RFC 5280 §6 in the simple form PAdES needs: names, AKI and the
 * issuer's signature). Validity periods and revocation are judged by the caller at the time it
 * has proof for, not here.
 */
export interface CertificatePath {
  /** Leaf first; the trust anchor last. */
  certificates: X509Certificate[];
  anchor: X509Certificate;
}

export class CertificatePool {
  private readonly byRaw = new Map<string, X509Certificate>();
  private readonly seenDer = new Set<string>();

  add(...certs: (Uint8Array | X509Certificate)[]): void {
    for (const c of certs) {
      // Parsing is the expensive part: skip DER already seen before building an X509Certificate.
      if (!(c instanceof X509Certificate)) {
        const h = derKey(c);
        if (this.seenDer.has(h)) continue;
        this.seenDer.add(h);
      }
      const x = c instanceof X509Certificate ? c : parseCertificate(c);
      if (!x) continue;
      const k = x.fingerprint256;
      if (!this.byRaw.has(k)) this.byRaw.set(k, x);
    }
  }

  /** CA certificates only (candidates for intermediates when another verifier builds a path). */
  authorities(): X509Certificate[] {
    return this.all().filter((c) => c.ca);
  }

  all(): X509Certificate[] {
    return [...this.byRaw.values()];
  }

  /** The issuer of `cert` among `candidates`: subject/AKI match and a verifying signature. */
  static findIssuer(cert: X509Certificate, candidates: X509Certificate[]): X509Certificate | undefined {
    return candidates.find((c) => {
      if (c.fingerprint256 === cert.fingerprint256 && !isSelfIssued(cert)) return false;
      try {
        return cert.checkIssued(c) && signedBy(cert, c);
      } catch {
        return false;
      }
    });
  }

  buildPath(leaf: Uint8Array | X509Certificate, anchors: X509Certificate[]): CertificatePath | undefined {
    const start = leaf instanceof X509Certificate ? leaf : parseCertificate(leaf);
    if (!start) return undefined;
    const chain: X509Certificate[] = [start];
    let current = start;
    for (let depth = 0; depth < 10; depth++) {
      const anchorSelf = anchors.find((a) => a.fingerprint256 === current.fingerprint256);
      if (anchorSelf) return { certificates: chain, anchor: anchorSelf };
      const anchor = CertificatePool.findIssuer(current, anchors);
      if (anchor) {
        chain.push(anchor);
        return { certificates: chain, anchor };
      }
      if (isSelfIssued(current)) return undefined;
      const next = CertificatePool.findIssuer(
        current,
        this.all().filter((c) => !chain.some((p) => p.fingerprint256 === c.fingerprint256)),
      );
      if (!next) return undefined;
      chain.push(next);
      current = next;
    }
    return undefined;
  }
}

function isSelfIssued(c: X509Certificate): boolean {
  return c.subject === c.issuer;
}

/**
 * Process-wide memo of parsed certificates and of issuer signature checks. An archive run renews
 * thousands of files that carry the same handful of CA and TSA certificates; parsing one costs
 * ~2 ms and verifying its issuer's signature ~5 ms, more than the rest of a renewal.
 *
 * Why this is safe: a certificate is immutable DER, so the parse of the same bytes (keyed by their
 * SHA-256) is the same certificate; and `subject.verify(issuer.publicKey)` is a pure function of
 * the subject's DER (TBS + signature) and the issuer's DER (its key), so its result for the pair
 * (SHA-256 of issuer DER, SHA-256 of subject DER) never changes. Everything that depends on time
 * or policy — name chaining (`checkIssued`, still run every time), validity periods, revocation,
 * trust anchors — is judged by the callers on every call, exactly as before. Both memos are
 * bounded (oldest entry dropped first), so a long-running process does not grow without limit.
 */
const MAX_PARSED = 4096;
const MAX_VERIFIED = 16384;
const parsed = new Map<string, X509Certificate | null>();
const verified = new Map<string, boolean>();
const keyOfParsed = new WeakMap<X509Certificate, string>();

function derKey(der: Uint8Array): string {
  return hash('sha256', der, 'base64');
}

function keyOf(c: X509Certificate): string {
  let k = keyOfParsed.get(c);
  if (!k) {
    k = derKey(c.raw);
    keyOfParsed.set(c, k);
  }
  return k;
}

function remember<V>(map: Map<string, V>, max: number, key: string, value: V): V {
  if (map.size >= max) map.delete(map.keys().next().value as string);
  map.set(key, value);
  return value;
}

/** The certificate in `der`, parsed once per distinct DER; undefined when it is not one. */
export function parseCertificate(der: Uint8Array): X509Certificate | undefined {
  const k = derKey(der);
  const hit = parsed.get(k);
  if (hit !== undefined) return hit ?? undefined;
  let x: X509Certificate | null;
  try {
    x = new X509Certificate(der);
    keyOfParsed.set(x, k);
  } catch {
    x = null;
  }
  return remember(parsed, MAX_PARSED, k, x) ?? undefined;
}

/** Like parseCertificate, but throws the parser's own error for bytes that are not a certificate. */
export function certificateOf(der: Uint8Array): X509Certificate {
  return parseCertificate(der) ?? new X509Certificate(der);
}

/** `subject.verify(issuer.publicKey)`, computed once per (issuer DER, subject DER) pair. */
export function signedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
  const k = `${keyOf(issuer)}>${keyOf(subject)}`;
  const hit = verified.get(k);
  if (hit !== undefined) return hit;
  let ok: boolean;
  try {
    ok = subject.verify(issuer.publicKey);
  } catch {
    ok = false;
  }
  return remember(verified, MAX_VERIFIED, k, ok);
}

export function describeCertificate(c: X509Certificate): string {
  const cn = /CN=([^\n]+)/.exec(c.subject)?.[1] ?? c.subject.replace(/\n/g, ', ');
  return `${cn} (serial ${c.serialNumber})`;
}
