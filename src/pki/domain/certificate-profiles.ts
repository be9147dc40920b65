import * as asn1js from 'asn1js';
import { KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import { OID } from './oids';
import {
  buildCertificate,
  buildName,
  extension,
  KeyUsageBit,
  NameAttributes,
  namedBits,
  uriName,
} from './x509';

/**
 * Certificate profiles of the service's CA (RFC 5280; subscriber profile in the style of
 * ETSI EN 319 412-2 for natural persons signing with non-repudiation).
 */

export interface CaIssuer {
  certificate: pkijs.Certificate;
  key: KeyObject;
}

/** Where relying parties find status and the issuer certificate. */
export interface CaUrls {
  crl: string;
  ocsp?: string;
  caIssuers: string;
}

interface Common {
  serial: Uint8Array;
  subjectSpki: Uint8Array;
  notBefore: Date;
  notAfter: Date;
}

const basicConstraints = (ca: boolean, pathLen?: number) =>
  extension(
    OID.basicConstraints,
    true,
    new pkijs.BasicConstraints(ca ? { cA: true, pathLenConstraint: pathLen } : {}),
  );

const keyUsage = (...bits: number[]) => extension(OID.keyUsage, true, namedBits(bits));

const crlDp = (url: string) =>
  extension(
    OID.crlDistributionPoints,
    false,
    new pkijs.CRLDistributionPoints({
      distributionPoints: [new pkijs.DistributionPoint({ distributionPoint: [uriName(url)] })],
    }),
  );

const aia = (urls: CaUrls) =>
  extension(
    OID.authorityInfoAccess,
    false,
    new pkijs.InfoAccess({
      accessDescriptions: [
        ...(urls.ocsp
          ? [new pkijs.AccessDescription({ accessMethod: OID.adOcsp, accessLocation: uriName(urls.ocsp) })]
          : []),
        new pkijs.AccessDescription({
          accessMethod: OID.adCaIssuers,
          accessLocation: uriName(urls.caIssuers),
        }),
      ],
    }),
  );

const policies = (oid: string) =>
  extension(
    OID.certificatePolicies,
    false,
    new pkijs.CertificatePolicies({
      certificatePolicies: [new pkijs.PolicyInformation({ policyIdentifier: oid })],
    }),
  );

const eku = (critical: boolean, ...purposes: string[]) =>
  extension(OID.extKeyUsage, critical, new pkijs.ExtKeyUsage({ keyPurposes: purposes }));

/** Self-signed root: keyCertSign + cRLSign, no path length limit below it beyond one CA level. */
export function rootCaCertificate(c: Common & { subject: NameAttributes; key: KeyObject }): Buffer {
  return buildCertificate({
    ...c,
    subject: buildName(c.subject),
    selfKey: c.key,
    extensions: [basicConstraints(true, 1), keyUsage(KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign)],
  });
}

/** Issuing CA under the root: signs subscriber certificates, the OCSP responder and its CRL. */
export function subordinateCaCertificate(
  c: Common & { subject: NameAttributes; issuer: CaIssuer; urls: CaUrls },
): Buffer {
  return buildCertificate({
    ...c,
    subject: buildName(c.subject),
    issuer: c.issuer,
    extensions: [
      basicConstraints(true, 0),
      keyUsage(KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign),
      crlDp(c.urls.crl),
      aia(c.urls),
    ],
  });
}

/**
 * Delegated OCSP responder (RFC 6960 §4.2.2.2): id-kp-OCSPSigning, and id-pkix-ocsp-nocheck so
 * relying parties do not ask for the responder's own status (§4.2.2.2.1); hence a short validity.
 */
export function ocspResponderCertificate(c: Common & { subject: NameAttributes; issuer: CaIssuer }): Buffer {
  return buildCertificate({
    ...c,
    subject: buildName(c.subject),
    issuer: c.issuer,
    extensions: [
      basicConstraints(false),
      keyUsage(KeyUsageBit.digitalSignature),
      eku(false, OID.kpOcspSigning),
      extension(OID.ocspNoCheck, false, new asn1js.Null()),
    ],
  });
}

/** RFC 3161 §2.3: the TSA certificate has exactly one EKU, id-kp-timeStamping, marked critical. */
export function tsaCertificate(
  c: Common & { subject: NameAttributes; issuer: CaIssuer; urls: CaUrls },
): Buffer {
  return buildCertificate({
    ...c,
    subject: buildName(c.subject),
    issuer: c.issuer,
    extensions: [
      basicConstraints(false),
      keyUsage(KeyUsageBit.digitalSignature, KeyUsageBit.nonRepudiation),
      eku(true, OID.kpTimeStamping),
      crlDp(c.urls.crl),
      aia(c.urls),
    ],
  });
}

/**
 * Signing certificate of a subscriber or of a branch manager (EC-03, EC-06): nonRepudiation +
 * digitalSignature (critical), the project's certificate policy, CRL DP and AIA, and the e-mail in
 * subjectAltName when known.
 */
export function signerCertificate(
  c: Common & { subject: NameAttributes; issuer: CaIssuer; urls: CaUrls; policyOid: string; email?: string },
): Buffer {
  const extensions = [
    basicConstraints(false),
    keyUsage(KeyUsageBit.digitalSignature, KeyUsageBit.nonRepudiation),
    policies(c.policyOid),
    crlDp(c.urls.crl),
    aia(c.urls),
  ];
  if (c.email) {
    extensions.push(
      extension(
        OID.subjectAltName,
        false,
        new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 1, value: c.email })] }),
      ),
    );
  }
  return buildCertificate({ ...c, subject: buildName(c.subject), issuer: c.issuer, extensions });
}
