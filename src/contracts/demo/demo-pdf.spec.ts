import { checkContractPdf } from '../domain/contract-upload';
import { demoContractPdf } from './demo-pdf';

describe('demo contract PDF', () => {
  it('is a PDF the upload check accepts, with the text in its content', () => {
    const pdf = demoContractPdf(['Loan Agreement (demo)', 'Amount: JPY 25,000,000 (a) \\ b']);
    expect(checkContractPdf(pdf, 1024 * 1024)).toEqual({ pageCount: 1 });
    expect(pdf.toString('latin1')).toContain('(Amount: JPY 25,000,000 \\(a\\) \\\\ b) Tj');
  });
});
