import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AppError } from '../../common/errors/app-error';
import { checkContractPdf } from './contract-upload';

const fixtures = path.resolve(__dirname, '../../../../shared/fixtures/pdf');
const read = (name: string) => readFileSync(path.join(fixtures, name));

function refusal(bytes: Uint8Array, max = 50 * 1024 * 1024): { code: string; status: number } | undefined {
  try {
    checkContractPdf(bytes, max);
    return undefined;
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, status: e.status };
    throw e;
  }
}

describe('contract upload check', () => {
  it('accepts unsigned PDFs from other producers', () => {
    for (const f of ['loan-libreoffice.pdf', 'loan-objstm-xrefstream.pdf', 'loan-linearized.pdf']) {
      expect(checkContractPdf(read(f), 50 * 1024 * 1024).pageCount).toBe(9);
    }
  });

  it('refuses by content, with the PDF layer codes', () => {
    expect(refusal(read('loan-encrypted-aes256.pdf'))).toEqual({ code: 'PDF_ENCRYPTED', status: 422 });
    expect(refusal(read('not-a-pdf.pdf'))).toEqual({ code: 'PDF_MALFORMED', status: 422 });
    expect(refusal(read('loan-truncated.pdf'))).toEqual({ code: 'PDF_MALFORMED', status: 422 });
    expect(refusal(Buffer.from('GIF89a not a pdf at all'))).toEqual({ code: 'PDF_MALFORMED', status: 422 });
    expect(refusal(read('loan-libreoffice.pdf'), 1024)).toEqual({ code: 'PDF_TOO_LARGE', status: 413 });
  });

  it('refuses a file that is already signed: the bank certifies first', () => {
    expect(refusal(read('loan-signed-by-other-software.pdf'))).toEqual({
      code: 'PDF_SIGNING_FORBIDDEN',
      status: 422,
    });
  });
});
