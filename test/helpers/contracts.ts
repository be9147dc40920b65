import { INestApplication } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { IssueSubscriberCertificate } from '../../src/pki/issue-subscriber-certificate.usecase';
import { CreateSigningIdentity } from '../../src/pki/signing-identities.usecase';
import { sharedPath } from './shared-paths';

export const PDF_FIXTURES = sharedPath('fixtures/pdf');

export function fixturePdf(name = 'loan-libreoffice.pdf'): Buffer {
  return readFileSync(path.join(PDF_FIXTURES, name));
}

export interface NewContractInput {
  title?: string;
  loanType?: string;
  amount?: string;
  counterparty?: string;
  contractDate?: string;
  signerIds: string[];
  deadline?: string;
  file?: Buffer | null;
  filename?: string;
}

/** POST /api/contracts as multipart, the way the page sends it. */
export function postContract(server: App, token: string, input: NewContractInput) {
  const req = request(server)
    .post('/api/contracts')
    .set('Authorization', `Bearer ${token}`)
    .field('title', input.title ?? '金銭消費貸借契約証書（住宅ローン）')
    .field('loanType', input.loanType ?? 'housing')
    .field('amount', input.amount ?? '25000000')
    .field('counterparty', input.counterparty ?? '電子 花子')
    .field('contractDate', input.contractDate ?? '2026-04-01');
  for (const id of input.signerIds) void req.field('signerIds', id);
  if (input.deadline) void req.field('deadline', input.deadline);
  if (input.file !== null) {
    void req.attach('file', input.file ?? fixturePdf(), {
      filename: input.filename ?? 'contract.pdf',
      contentType: 'application/pdf',
    });
  }
  return req;
}

export function auth(token: string) {
  return { Authorization: `Bearer ${token}` };
}

/** Demo-strength PINs the PKI policy accepts (not sequences, not repeated digits). */
export const PINS = { bank: '735194', debtor: '482913', guarantor: '519374' } as const;

/**
 * Gives the subscribers signing certificates (PIN per subscriber) and creates a branch-manager
 * signing identity, through the PKI module's own use cases; returns the identity id.
 */
export async function prepareSigning(
  t: { app: INestApplication },
  subscribers: { id: string; pin: string }[],
): Promise<string> {
  const issue = t.app.get(IssueSubscriberCertificate);
  for (const s of subscribers) await issue.execute({ subscriberId: s.id, pin: s.pin, actor: 'test' });
  const identity = await t.app.get(CreateSigningIdentity).execute({
    branchName: '本店営業部',
    title: '支店長',
    personName: '山田 一郎',
    pin: PINS.bank,
    actor: 'test',
  });
  return identity.id;
}
