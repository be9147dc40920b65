import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CertificateAuthority } from './certificate-authority.service';
import { ocspErrorResponse } from './domain/ocsp';
import { toPem } from './domain/x509';

const OCSP_REQUEST_LIMIT = 16 * 1024;

/**
 * Public repository of the CA (RFC 5280 §4.2.1.13/§4.2.2.1, RFC 6960 Appendix A): CA certificates,
 * CRLs and the OCSP responder. No authentication: relying parties anywhere must reach them.
 */
@ApiTags('pki')
@Controller('pki')
export class PkiPublicController {
  constructor(private readonly ca: CertificateAuthority) {}

  @Get('root.crt')
  @ApiOperation({ summary: 'Root CA certificate (DER)' })
  async rootDer(@Res() res: Response): Promise<void> {
    send(res, 'application/pkix-cert', Buffer.from(await this.ca.rootCertificate()), 86_400);
  }

  @Get('root.pem')
  async rootPem(@Res() res: Response): Promise<void> {
    send(res, 'application/x-pem-file', Buffer.from(toPem(await this.ca.rootCertificate())), 86_400);
  }

  @Get('issuing-ca.crt')
  @ApiOperation({ summary: 'Issuing CA certificate (DER)' })
  async issuingDer(@Res() res: Response): Promise<void> {
    send(res, 'application/pkix-cert', Buffer.from(await this.ca.issuingCaCertificate()), 86_400);
  }

  @Get('issuing-ca.pem')
  async issuingPem(@Res() res: Response): Promise<void> {
    send(res, 'application/x-pem-file', Buffer.from(toPem(await this.ca.issuingCaCertificate())), 86_400);
  }

  @Get('crl/issuing.crl')
  @ApiOperation({ summary: 'Current CRL of the issuing CA (DER)' })
  async issuingCrl(@Res() res: Response): Promise<void> {
    send(res, 'application/pkix-crl', await this.ca.currentCrl('issuing'), 60);
  }

  @Get('crl/root.crl')
  @ApiOperation({ summary: 'Current CRL of the root CA (DER)' })
  async rootCrl(@Res() res: Response): Promise<void> {
    send(res, 'application/pkix-crl', await this.ca.currentCrl('root'), 60);
  }

  @Post('ocsp')
  @HttpCode(200)
  @ApiOperation({ summary: 'OCSP (RFC 6960), body application/ocsp-request' })
  async ocspPost(@Req() req: Request, @Res() res: Response): Promise<void> {
    const body = await readRaw(req, OCSP_REQUEST_LIMIT);
    const answer = body ? await this.ca.respondOcsp(body) : ocspErrorResponse('malformedRequest');
    send(res, 'application/ocsp-response', answer, 0);
  }

  /** RFC 6960 Appendix A.1: GET {url}/{url-encoding of base-64 encoding of the DER request}. */
  @Get('ocsp/*request')
  @ApiOperation({ summary: 'OCSP (RFC 6960) by GET' })
  async ocspGet(@Req() req: Request, @Res() res: Response): Promise<void> {
    const raw = req.originalUrl
      .slice(req.originalUrl.indexOf('/pki/ocsp/') + '/pki/ocsp/'.length)
      .split('?')[0];
    let der: Buffer | undefined;
    try {
      const b64 = decodeURIComponent(raw);
      if (/^[A-Za-z0-9+/]+={0,2}$/.test(b64) && b64.length <= OCSP_REQUEST_LIMIT)
        der = Buffer.from(b64, 'base64');
    } catch {
      der = undefined;
    }
    const answer = der ? await this.ca.respondOcsp(der) : ocspErrorResponse('malformedRequest');
    send(res, 'application/ocsp-response', answer, 0);
  }
}

function send(res: Response, type: string, body: Buffer, maxAgeSeconds: number): void {
  res.status(200);
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', String(body.length));
  res.setHeader('Cache-Control', maxAgeSeconds ? `public, max-age=${maxAgeSeconds}` : 'no-store');
  res.end(body);
}

/** Reads a binary body up to `limit` bytes; undefined when empty or too large. */
function readRaw(req: Request, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge || size === 0 ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
