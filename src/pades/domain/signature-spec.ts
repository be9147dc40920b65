import { PadesError, PadesErrorCode } from '../pades.errors';
import type { DigestAlgorithm } from './oids';

/** ETSI EN 319 142-1 baseline levels; each one includes the previous. */
export const PADES_LEVELS = ['B-B', 'B-T', 'B-LT', 'B-LTA'] as const;
export type PadesLevel = (typeof PADES_LEVELS)[number];

export interface VisibleStamp {
  /** 1-based page number. */
  page: number;
  /** [llx, lly, urx, ury] in PDF user-space units. */
  rect: [number, number, number, number];
  lines: string[];
}

/**
 * What to sign and how, as an immutable value (pyHanko's PdfSignatureMetadata): the session reads
 * it, never changes it, so the same spec can be logged, retried and audited.
 */
export interface PadesSignatureSpec {
  readonly level: PadesLevel;
  readonly fieldName?: string;
  readonly name?: string;
  readonly reason?: string;
  readonly location?: string;
  readonly contactInfo?: string;
  /** A certification signature with DocMDP permission P (the bank signs first with P=2). */
  readonly certify?: { readonly permission: 1 | 2 | 3 };
  readonly visible?: Readonly<VisibleStamp>;
  readonly digestAlgorithm?: DigestAlgorithm;
}

export function signatureSpec(input: PadesSignatureSpec): Readonly<PadesSignatureSpec> {
  if (!PADES_LEVELS.includes(input.level))
    throw new PadesError(PadesErrorCode.INVALID_REQUEST, `unknown PAdES level ${String(input.level)}`);
  if (input.fieldName !== undefined && !/^[^.\s][^.]{0,99}$/.test(input.fieldName))
    throw new PadesError(PadesErrorCode.INVALID_REQUEST, 'a field name is 1-100 characters without "."');
  if (input.certify && ![1, 2, 3].includes(input.certify.permission))
    throw new PadesError(PadesErrorCode.INVALID_REQUEST, 'DocMDP permission must be 1, 2 or 3');
  if (input.visible) {
    const [x1, y1, x2, y2] = input.visible.rect;
    if (
      !Number.isInteger(input.visible.page) ||
      input.visible.page < 1 ||
      input.visible.rect.some((n) => !Number.isFinite(n) || n < 0) ||
      x2 <= x1 ||
      y2 <= y1
    )
      throw new PadesError(
        PadesErrorCode.INVALID_REQUEST,
        'a visible stamp needs a page ≥ 1 and a rectangle with positive width and height',
      );
  }
  return Object.freeze({
    ...input,
    certify: input.certify ? Object.freeze({ ...input.certify }) : undefined,
    visible: input.visible
      ? Object.freeze({ ...input.visible, rect: [...input.visible.rect], lines: [...input.visible.lines] })
      : undefined,
  }) as Readonly<PadesSignatureSpec>;
}

/** Parses `page,x,y,w,h` (CLI --visible) into a stamp rectangle. */
export function parseVisibleOption(value: string, lines: string[]): VisibleStamp {
  const parts = value.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 5 || parts.some((n) => !Number.isFinite(n)))
    throw new PadesError(PadesErrorCode.INVALID_REQUEST, '--visible must be page,x,y,w,h (numbers)');
  const [page, x, y, w, h] = parts;
  return { page, rect: [x, y, x + w, y + h], lines };
}
