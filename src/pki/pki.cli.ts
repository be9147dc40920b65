import { Command } from 'commander';
import { createHash } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import type { AppContextFactory } from '../cli';
import { AppError } from '../common/errors/app-error';
import { CertificateAuthority } from './certificate-authority.service';
import { isRevocationReason, REVOCATION_CHANNELS, RevocationChannel } from './domain/revocation-reason';
import { nameToString, parseCertificate, toPem } from './domain/x509';
import { PkiErrorCode } from './pki.errors';
import { CertificateEntity } from './pki.entities';
import { RevokeCertificate } from './revoke-certificate.usecase';

/** `npm run cli -- pki …`: look at the CA, re-issue CRLs, revoke by serial (incident handling). */
export function registerPkiCommands(program: Command, context: AppContextFactory): void {
  const pki = program
    .command('pki')
    .description('the certification authority (CA hierarchy, CRL, revocation)');

  pki
    .command('status')
    .description(
      'show the CA certificates (subject, serial, SHA-256, validity), CRL numbers and certificate counts',
    )
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const app = await context();
      const ca = app.get(CertificateAuthority);
      const describe = (der: Uint8Array) => {
        const c = parseCertificate(der);
        return {
          subject: nameToString(c.subject),
          serial: Buffer.from(c.serialNumber.valueBlock.valueHexView).toString('hex'),
          sha256: createHash('sha256').update(der).digest('hex'),
          notBefore: c.notBefore.value.toISOString(),
          notAfter: c.notAfter.value.toISOString(),
        };
      };
      const repo = app.get(DataSource).getRepository(CertificateEntity);
      const result = {
        root: describe(await ca.rootCertificate()),
        issuing: describe(await ca.issuingCaCertificate()),
        certificates: {
          signersActive: await repo.countBy({ kind: 'subscriber', revokedAt: IsNull() }),
          bankSignersActive: await repo.countBy({ kind: 'bank-signer', revokedAt: IsNull() }),
          revoked: (await repo.count()) - (await repo.countBy({ revokedAt: IsNull() })),
        },
      };
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else {
        for (const k of ['root', 'issuing'] as const) {
          const c = result[k];
          process.stdout.write(
            `${k}: ${c.subject}\n  serial ${c.serial}\n  sha256 ${c.sha256}\n  ${c.notBefore} → ${c.notAfter}\n`,
          );
        }
        process.stdout.write(`certificates: ${JSON.stringify(result.certificates)}\n`);
      }
    });

  pki
    .command('trust-anchor')
    .description('print the root CA certificate (PEM) that relying parties configure')
    .action(async () => {
      const app = await context();
      process.stdout.write(toPem(await app.get(CertificateAuthority).rootCertificate()));
    });

  pki
    .command('crl')
    .description('issue fresh CRLs of the root and the issuing CA now')
    .action(async () => {
      const app = await context();
      const n = await app.get(CertificateAuthority).reissueCrls();
      process.stdout.write(`issued CRL #${n.issuing} (issuing CA) and #${n.root} (root)\n`);
    });

  pki
    .command('revoke')
    .description('revoke a certificate by serial number (hex), e.g. on a key-compromise incident')
    .requiredOption('--serial <hex>', 'certificate serial number, hex')
    .requiredOption(
      '--reason <reason>',
      'RFC 5280 reason (keyCompromise, affiliationChanged, superseded, cessationOfOperation, …)',
    )
    .option('--channel <channel>', `how it was reported (${REVOCATION_CHANNELS.join(', ')})`, 'system')
    .action(async (opts: { serial: string; reason: string; channel: string }) => {
      const app = await context();
      if (!isRevocationReason(opts.reason)) {
        throw AppError.badRequest(PkiErrorCode.INVALID_REVOCATION_REASON, `unknown reason ${opts.reason}`);
      }
      const serialHex = opts.serial
        .toLowerCase()
        .replace(/^0x/, '')
        .replace(/:/g, '')
        .replace(/^(00)+(?=.)/, '');
      const cert = await app.get(DataSource).getRepository(CertificateEntity).findOneBy({ serialHex });
      if (!cert)
        throw AppError.notFound(
          PkiErrorCode.CERTIFICATE_NOT_FOUND,
          `no certificate with serial ${serialHex}`,
        );
      const view = await app.get(RevokeCertificate).revoke({
        certificateId: cert.id,
        reason: opts.reason,
        channel: opts.channel as RevocationChannel,
        actor: 'cli',
      });
      process.stdout.write(`revoked ${view.serialNumber} (${view.subject}) as ${opts.reason}\n`);
    });
}
