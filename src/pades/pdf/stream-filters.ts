import { inflateSync } from 'node:zlib';
import { malformed } from './pdf-errors';
import { PdfDict, type PdfStream, type PdfValue, nameOf, numberOf } from './pdf-objects';

/**
 * Stream decoding for what the signing layer reads itself: object streams, xref streams and DSS
 * streams. FlateDecode (RFC 1950) with PNG/TIFF predictors (§7.4.4.4) covers them in practice;
 * any other filter is refused rather than guessed.
 */
export function decodeStream(
  stream: PdfStream,
  resolve: (v: PdfValue | undefined) => PdfValue | undefined,
): Buffer {
  const filterValue = resolve(stream.dict.get('Filter'));
  const filters = (Array.isArray(filterValue) ? filterValue : filterValue ? [filterValue] : []).map((f) =>
    nameOf(resolve(f)),
  );
  const parmsValue = resolve(stream.dict.get('DecodeParms'));
  const parms = Array.isArray(parmsValue) ? parmsValue : [parmsValue];
  let data: Buffer = Buffer.from(stream.raw());
  filters.forEach((filter, i) => {
    const p = resolve(parms[i] ?? null);
    switch (filter) {
      case 'FlateDecode':
      case 'Fl':
        try {
          data = inflateSync(data);
        } catch (e) {
          throw malformed(`a FlateDecode stream cannot be inflated: ${(e as Error).message}`);
        }
        data = applyPredictor(data, p instanceof PdfDict ? p : undefined);
        break;
      case 'ASCIIHexDecode':
      case 'AHx': {
        const hex = data.toString('latin1').replace(/\s+/g, '').replace(/>.*$/s, '');
        data = Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
        break;
      }
      case undefined:
      default:
        throw malformed(`unsupported stream filter ${filter ?? '(not a name)'}`);
    }
  });
  return data;
}

function applyPredictor(data: Buffer, parms: PdfDict | undefined): Buffer {
  const predictor = numberOf(parms?.get('Predictor')) ?? 1;
  if (predictor === 1) return data;
  const colors = numberOf(parms?.get('Colors')) ?? 1;
  const bpc = numberOf(parms?.get('BitsPerComponent')) ?? 8;
  const columns = numberOf(parms?.get('Columns')) ?? 1;
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLength = Math.ceil((colors * bpc * columns) / 8);
  if (predictor === 2) {
    if (bpc !== 8) throw malformed('TIFF predictor with BitsPerComponent other than 8 is not supported');
    const out = Buffer.from(data);
    for (let row = 0; row + rowLength <= out.length; row += rowLength) {
      for (let i = bpp; i < rowLength; i++) out[row + i] = (out[row + i] + out[row + i - bpp]) & 0xff;
    }
    return out;
  }
  if (predictor < 10) throw malformed(`unsupported predictor ${predictor}`);
  // PNG predictors: every row starts with its filter type byte.
  const rows = Math.floor(data.length / (rowLength + 1));
  const out = Buffer.alloc(rows * rowLength);
  let prev = Buffer.alloc(rowLength);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLength + 1)];
    const src = data.subarray(r * (rowLength + 1) + 1, (r + 1) * (rowLength + 1));
    const cur = out.subarray(r * rowLength, (r + 1) * rowLength);
    for (let i = 0; i < rowLength; i++) {
      const left = i >= bpp ? cur[i - bpp] : 0;
      const up = prev[i];
      const upLeft = i >= bpp ? prev[i - bpp] : 0;
      let v: number;
      switch (type) {
        case 0:
          v = src[i];
          break;
        case 1:
          v = src[i] + left;
          break;
        case 2:
          v = src[i] + up;
          break;
        case 3:
          v = src[i] + ((left + up) >> 1);
          break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left);
          const pb = Math.abs(p - up);
          const pc = Math.abs(p - upLeft);
          v = src[i] + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
          break;
        }
        default:
          throw malformed(`bad PNG predictor row type ${type}`);
      }
      cur[i] = v & 0xff;
    }
    prev = cur;
  }
  return out;
}
