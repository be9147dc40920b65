import { AppError } from '../../common/errors/app-error';
import { PdfDocument } from '../../pades/pdf/pdf-document';
import { PdfError, PdfErrorCode } from '../../pades/pdf/pdf-errors';

export interface AcceptedUpload {
  pageCount: number;
}

/**
 * The upload check before a contract is accepted (seed 000 §12(1)): a real PDF by its content, not
 * its name or MIME type; within the size limit; not encrypted; and signable by the workflow. The
 * bank's first signature is a certification signature (DocMDP), which ISO 32000-1 §12.8.2.2 allows
 * only as the first signature of a document, so a file that is already signed is refused too.
 * Refusals carry the PDF layer's codes (PDF_MALFORMED, PDF_ENCRYPTED, PDF_SIGNING_FORBIDDEN,
 * PDF_TOO_LARGE) so that clients see the same codes as everywhere else.
 */
export function checkContractPdf(bytes: Uint8Array, maxBytes: number): AcceptedUpload {
  let doc: PdfDocument;
  try {
    doc = PdfDocument.load(bytes, { maxBytes });
    if (doc.signatures().length > 0) {
      throw new PdfError(
        PdfErrorCode.PDF_SIGNING_FORBIDDEN,
        '既に電子署名されている PDF は登録できません。署名前の契約書ファイルを登録してください。',
      );
    }
    return { pageCount: doc.pageCount() };
  } catch (e) {
    if (e instanceof PdfError) throw pdfErrorToAppError(e);
    throw new AppError(PdfErrorCode.PDF_MALFORMED, 422, 'PDF ファイルを読み取れませんでした。');
  }
}

export function pdfErrorToAppError(e: PdfError): AppError {
  const status = e.code === PdfErrorCode.PDF_TOO_LARGE ? 413 : 422;
  return new AppError(e.code, status, e.message, e.details);
}
