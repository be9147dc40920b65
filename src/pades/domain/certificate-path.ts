import { createHash, X509Certificate } from 'node:crypto';

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
        const h = createHash('sha256').update(c).digest('base64');
        if (this.seenDer.has(h)) continue;
        this.seenDer.add(h);
      }
      const x = c instanceof X509Certificate ? c : tryParse(c);
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
        return cert.checkIssued(c) && cert.verify(c.publicKey);
      } catch {
        return false;
      }
    });
  }

  buildPath(leaf: Uint8Array | X509Certificate, anchors: X509Certificate[]): CertificatePath | undefined {
    const start = leaf instanceof X509Certificate ? leaf : tryParse(leaf);
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

function tryParse(der: Uint8Array): X509Certificate | undefined {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
}

export function describeCertificate(c: X509Certificate): string {
  const cn = /CN=([^\n]+)/.exec(c.subject)?.[1] ?? c.subject.replace(/\n/g, ', ');
  return `${cn} (serial ${c.serialNumber})`;
}
