import { deflateSync } from 'node:zlib';
import { PdfErrorCode, type PdfError } from './pdf-errors';
import {
  PdfDict,
  PdfName,
  PdfRef,
  PdfStream,
  PdfString,
  decodeTextString,
  parsePdfDate,
  serialize,
  textString,
} from './pdf-objects';
import { PdfLexer, parseIndirectObject } from './pdf-parser';
import { decodeStream } from './stream-filters';

const parse = (s: string) => new PdfLexer(Buffer.from(s, 'latin1'), 0).parseValue();
const text = (v: unknown) => Buffer.from((v as PdfString).bytes).toString('latin1');

function codeOf(fn: () => unknown): PdfErrorCode | undefined {
  try {
    fn();
  } catch (e) {
    return (e as PdfError).code;
  }
  return undefined;
}

describe('PdfLexer', () => {
  it('decodes #xx escapes in names', () => {
    expect((parse('/A#20B#23') as PdfName).name).toBe('A B#');
    expect((parse('/ETSI.CAdES.detached') as PdfName).name).toBe('ETSI.CAdES.detached');
  });

  it('reads literal strings with escapes, octal codes, balanced parentheses and line continuations', () => {
    expect(text(parse('(a\\(b\\)c \\\\ \\n\\101\\0537)'))).toBe('a(b)c \\ \nA+7');
    expect(text(parse('(x (nested) y)'))).toBe('x (nested) y');
    expect(text(parse('(line\\\r\ncontinued)'))).toBe('linecontinued');
    expect(text(parse('(cr\rlf)'))).toBe('cr\nlf');
  });

  it('reads hex strings ignoring whitespace and padding an odd digit', () => {
    const s = parse('<48 65\n6C6C 6F7>') as PdfString;
    expect(s.hex).toBe(true);
    expect(text(s)).toBe('Hellop');
  });

  it('reads an unbroken even hex string (signature /Contents) and refuses a bad digit in one', () => {
    const s = parse('<48656c6C6F00>') as PdfString;
    expect(Buffer.from(s.bytes).toString('hex')).toBe('48656c6c6f00');
    expect(() => parse('<4865zz6C>')).toThrow(/bad character in hex string/);
    expect(() => parse('<48656C6G>')).toThrow(/bad character in hex string/);
  });

  it('reads numbers, references, booleans, null, arrays and dictionaries', () => {
    const v = parse(
      '<< /I 12 /R -3.5 /P .5 /Ref 12 0 R /B true /N null /A [1 2 /R 3 0 R /x (s)] /D << /K /V >> >>',
    );
    expect(v).toBeInstanceOf(PdfDict);
    const d = v as PdfDict;
    expect(d.get('I')).toBe(12);
    expect(d.get('R')).toBe(-3.5);
    expect(d.get('P')).toBe(0.5);
    expect(d.get('Ref')).toEqual(new PdfRef(12, 0));
    expect(d.get('B')).toBe(true);
    expect(d.get('N')).toBeNull();
    const a = d.get('A') as unknown[];
    expect(a[0]).toBe(1);
    expect(a[1]).toBe(2);
    expect((a[2] as PdfName).name).toBe('R');
    expect(a[3]).toEqual(new PdfRef(3, 0));
    expect(((d.get('D') as PdfDict).get('K') as PdfName).name).toBe('V');
  });

  it('skips comments', () => {
    expect(parse('% comment\n [1 % two\n 3]')).toEqual([1, 3]);
  });

  it('refuses garbage, unterminated values and absurd nesting as PDF_MALFORMED', () => {
    expect(codeOf(() => parse('<< /A (unterminated'))).toBe(PdfErrorCode.PDF_MALFORMED);
    expect(codeOf(() => parse('[1 2'))).toBe(PdfErrorCode.PDF_MALFORMED);
    expect(codeOf(() => parse('<< 1 2 >>'))).toBe(PdfErrorCode.PDF_MALFORMED);
    expect(codeOf(() => parse('<4G>'))).toBe(PdfErrorCode.PDF_MALFORMED);
    expect(codeOf(() => parse('/A#ZZ'))).toBe(PdfErrorCode.PDF_MALFORMED);
    expect(codeOf(() => parse('bogus'))).toBe(PdfErrorCode.PDF_MALFORMED);
    expect(codeOf(() => parse('['.repeat(100)))).toBe(PdfErrorCode.PDF_MALFORMED);
  });
});

describe('parseIndirectObject', () => {
  it('reads a stream with a direct /Length', () => {
    const bytes = Buffer.from('7 0 obj\n<< /Length 5 >>\nstream\r\nhello\nendstream\nendobj\n', 'latin1');
    const o = parseIndirectObject(bytes, 0, () => undefined, 7);
    expect(o.num).toBe(7);
    expect(Buffer.from((o.value as PdfStream).raw()).toString()).toBe('hello');
  });

  it('reads a stream with an indirect /Length and falls back to endstream when /Length is wrong', () => {
    const bytes = Buffer.from('1 0 obj\n<< /Length 9 0 R >>\nstream\nabc\nendstream\nendobj\n', 'latin1');
    expect(Buffer.from((parseIndirectObject(bytes, 0, () => 3).value as PdfStream).raw()).toString()).toBe(
      'abc',
    );
    expect(Buffer.from((parseIndirectObject(bytes, 0, () => 99).value as PdfStream).raw()).toString()).toBe(
      'abc',
    );
  });

  it('refuses an object whose number differs from the cross-reference entry', () => {
    const bytes = Buffer.from('3 0 obj\n<< >>\nendobj\n', 'latin1');
    expect(codeOf(() => parseIndirectObject(bytes, 0, () => undefined, 4))).toBe(PdfErrorCode.PDF_MALFORMED);
  });
});

describe('stream filters', () => {
  it('inflates FlateDecode and undoes PNG Up predictors (xref streams)', () => {
    const rows = [
      [1, 0, 10],
      [1, 0, 20],
      [2, 5, 1],
    ];
    // PNG "Up" (type 2): each byte is stored as the difference to the byte above.
    const encoded: number[] = [];
    let prev = [0, 0, 0];
    for (const r of rows) {
      encoded.push(2, ...r.map((b, i) => (b - prev[i]) & 0xff));
      prev = r;
    }
    const data = deflateSync(Buffer.from(encoded));
    const dict = new PdfDict()
      .set('Filter', new PdfName('FlateDecode'))
      .set('DecodeParms', new PdfDict().set('Predictor', 12).set('Columns', 3));
    const out = decodeStream(new PdfStream(dict, data, 0, data.length), (v) => v);
    expect([...out]).toEqual(rows.flat());
  });

  it('refuses unknown filters and corrupt Flate data', () => {
    const raw = Buffer.from('xyz');
    const bad = new PdfStream(new PdfDict().set('Filter', new PdfName('LZWDecode')), raw, 0, 3);
    expect(codeOf(() => decodeStream(bad, (v) => v))).toBe(PdfErrorCode.PDF_MALFORMED);
    const corrupt = new PdfStream(new PdfDict().set('Filter', new PdfName('FlateDecode')), raw, 0, 3);
    expect(codeOf(() => decodeStream(corrupt, (v) => v))).toBe(PdfErrorCode.PDF_MALFORMED);
  });
});

describe('objects', () => {
  it('serializes what it parses (names escaped, strings escaped, reals without exponent)', () => {
    const src = '<</A#20B (x\\(y\\)\\\\) /H <00FF> /N 0.0000001 /L [1 0 R true null]>>';
    const v = parse(src);
    expect(serialize(v)).toBe('<</A#20B (x\\(y\\)\\\\) /H <00FF> /N 0.0000001 /L [1 0 R true null]>>');
    expect(serialize(parse(serialize(v)))).toBe(serialize(v));
  });

  it('round-trips Japanese text strings through UTF-16BE', () => {
    const s = textString('山田 太郎');
    expect(s.bytes[0]).toBe(0xfe);
    expect(decodeTextString(s)).toBe('山田 太郎');
    expect(decodeTextString(textString('plain'))).toBe('plain');
  });

  it('parses PDF dates with time zone offsets', () => {
    expect(parsePdfDate("D:20260401093000+09'00'")?.toISOString()).toBe('2026-04-01T00:30:00.000Z');
    expect(parsePdfDate('D:20260401003000Z')?.toISOString()).toBe('2026-04-01T00:30:00.000Z');
    expect(parsePdfDate('nonsense')).toBeUndefined();
  });
});
