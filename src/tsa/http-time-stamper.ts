import * as http from 'node:http';
import * as https from 'node:https';
import { hashByName } from './domain/oids';
import { encodeTimeStampRequest, newNonce } from './domain/time-stamp-request';
import { PkiStatus, parseTimeStampResponse } from './domain/time-stamp-response';
import { TsaTrust, acceptToken } from './time-stamp-acceptance';
import {
  TimeStampRejectedError,
  TimeStampRequestInput,
  TimeStampToken,
  TimeStampUnavailableError,
  TimeStamper,
} from './time-stamper';

export interface HttpTimeStamperOptions {
  url: string;
  username?: string;
  /** Secret: sent only in the Authorization header, never logged. */
  password?: string;
  /** PEM client certificate and key for TLS client authentication. */
  clientCert?: string | Buffer;
  clientKey?: string | Buffer;
  /** Extra CA certificates for the TLS connection (PEM), e.g. a private TSA's HTTPS root. */
  tlsCa?: string | Buffer;
  timeoutMs: number;
  /** Further attempts after a retryable failure. */
  retries: number;
  /** First back-off delay; doubled per attempt (default 250 ms). */
  backoffMs?: number;
  /** Roots and certificates the tokens are checked against (loaded lazily, once). */
  trust: () => Promise<TsaTrust>;
}

/** Largest response accepted: a token with a long chain is a few KiB. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

class RetryableFailure extends Error {}

/**
 * RFC 3161 over HTTP (RFC 3161 §3.4) to any TSA, e.g. an accredited one in production. Network
 * errors, timeouts, HTTP 5xx/429 and PKIStatus `waiting` are retried with exponential back-off up
 * to `retries` times and then surface as TimeStampUnavailableError (retryable). A TSA refusal or a
 * token failing a check is a TimeStampRejectedError. The caller records nothing in either case.
 */
export class HttpTimeStamper extends TimeStamper {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private trust?: Promise<TsaTrust>;

  constructor(private readonly options: HttpTimeStamperOptions) {
    super();
    this.url = new URL(options.url);
    const agentOptions = { keepAlive: true, maxSockets: 32 };
    this.agent =
      this.url.protocol === 'https:'
        ? new https.Agent({
            ...agentOptions,
            cert: options.clientCert,
            key: options.clientKey,
            ca: options.tlsCa,
          })
        : new http.Agent(agentOptions);
  }

  async timestamp(input: TimeStampRequestInput): Promise<TimeStampToken> {
    const nonce = newNonce();
    let body: Buffer;
    try {
      body = encodeTimeStampRequest({
        hash: hashByName(input.hashAlgorithm),
        digest: input.digest,
        nonce,
        certReq: input.certReq ?? true,
        policy: input.policy,
      });
    } catch (e) {
      throw new TimeStampRejectedError(e instanceof Error ? e.message : String(e), 'BAD_INPUT');
    }
    const token = await this.obtain(body);
    this.trust ??= this.options.trust().catch((e: unknown) => {
      this.trust = undefined;
      throw e;
    });
    return acceptToken(token, input, nonce, await this.trust);
  }

  close(): void {
    this.agent.destroy();
  }

  private async obtain(body: Buffer): Promise<Buffer> {
    const backoff = this.options.backoffMs ?? 250;
    let last = '';
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, backoff * 2 ** (attempt - 1)));
      try {
        const res = await this.post(body);
        const parsed = parseResponse(res.body);
        if (parsed.status === Number(PkiStatus.waiting))
          throw new RetryableFailure('the TSA answered "waiting"');
        if (
          parsed.status !== Number(PkiStatus.granted) &&
          parsed.status !== Number(PkiStatus.grantedWithMods)
        )
          throw new TimeStampRejectedError(
            `the TSA refused the request: ${[...parsed.failInfo, ...parsed.statusText].join('; ') || `status ${parsed.status}`}`,
            `TSA_REFUSED${parsed.failInfo.length ? `:${parsed.failInfo.join(',')}` : ''}`,
          );
        if (!parsed.token)
          throw new TimeStampRejectedError('the TSA granted but sent no token', 'FORMAT_FAILURE');
        return parsed.token;
      } catch (e) {
        if (!(e instanceof RetryableFailure)) throw e;
        last = e.message;
      }
    }
    throw new TimeStampUnavailableError(
      `the TSA at ${this.url.host} is unavailable after ${this.options.retries + 1} attempts: ${last}`,
    );
  }

  private post(body: Buffer): Promise<{ status: number; body: Buffer }> {
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/timestamp-query',
      Accept: 'application/timestamp-reply',
      'Content-Length': body.length,
    };
    if (this.options.username !== undefined)
      headers.Authorization = `Basic ${Buffer.from(`${this.options.username}:${this.options.password ?? ''}`).toString('base64')}`;
    const lib = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(this.url, { method: 'POST', headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error('response too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const data = Buffer.concat(chunks);
          if (status >= 500 || status === 429 || status === 408) {
            // RFC 3161 servers may still send a TimeStampResp (systemFailure) with a 5xx.
            reject(new RetryableFailure(`HTTP ${status}`));
          } else if (status !== 200) {
            reject(
              new TimeStampUnavailableError(
                `the TSA answered HTTP ${status}${status === 401 || status === 403 ? ' (check TSA_USERNAME/TSA_PASSWORD or the client certificate)' : ''}`,
                false,
              ),
            );
          } else resolve({ status, body: data });
        });
        res.on('error', (e) => reject(new RetryableFailure(e.message)));
      });
      req.setTimeout(this.options.timeoutMs, () =>
        req.destroy(new RetryableFailure(`no answer within ${this.options.timeoutMs} ms`)),
      );
      req.on('error', (e) =>
        reject(
          e instanceof RetryableFailure || e instanceof TimeStampUnavailableError
            ? e
            : new RetryableFailure(e.message),
        ),
      );
      req.end(body);
    });
  }
}

function parseResponse(body: Buffer) {
  try {
    return parseTimeStampResponse(body);
  } catch (e) {
    throw new TimeStampRejectedError(
      `the TSA sent a malformed TimeStampResp: ${e instanceof Error ? e.message : String(e)}`,
      'FORMAT_FAILURE',
    );
  }
}
