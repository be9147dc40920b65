import { FontError, type PathCommand } from './outline-font';

/**
 * CFF (Adobe TN #5176) glyph outlines via a Type 2 charstring interpreter (Adobe TN #5177),
 * including CID-keyed fonts with FDArray/FDSelect (Noto Sans CJK). Hints are skipped: they only
 * matter for rasterising at small sizes, and the PDF viewer rasterises the paths itself.
 */

interface CffIndex {
  count: number;
  /** Absolute start/end of item i in the CFF data. */
  item(i: number): [number, number];
  end: number;
}

function readIndex(d: Uint8Array, at: number): CffIndex {
  const count = (d[at] << 8) | d[at + 1];
  if (count === 0) return { count: 0, item: () => [at + 2, at + 2], end: at + 2 };
  const offSize = d[at + 2];
  if (offSize < 1 || offSize > 4) throw new FontError('bad CFF INDEX offSize');
  const offsetAt = (i: number) => {
    let v = 0;
    for (let k = 0; k < offSize; k++) v = v * 256 + d[at + 3 + i * offSize + k];
    return v;
  };
  const dataStart = at + 3 + (count + 1) * offSize - 1;
  return {
    count,
    item: (i) => [dataStart + offsetAt(i), dataStart + offsetAt(i + 1)],
    end: dataStart + offsetAt(count),
  };
}

/** DICT data → operator → operands (operators 12 x are keyed 1200 + x). */
function readDict(d: Uint8Array, start: number, end: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  let operands: number[] = [];
  let p = start;
  while (p < end) {
    const b0 = d[p];
    if (b0 <= 21) {
      let op = b0;
      p++;
      if (b0 === 12) op = 1200 + d[p++];
      out.set(op, operands);
      operands = [];
    } else if (b0 === 28) {
      operands.push(((d[p + 1] << 24) | (d[p + 2] << 16)) >> 16);
      p += 3;
    } else if (b0 === 29) {
      operands.push((d[p + 1] << 24) | (d[p + 2] << 16) | (d[p + 3] << 8) | d[p + 4]);
      p += 5;
    } else if (b0 === 30) {
      // Real number: nibbles until 0xf. Only needed to skip (FontMatrix etc.).
      let s = '';
      p++;
      for (let done = false; !done && p < end; p++) {
        for (const nib of [d[p] >> 4, d[p] & 0xf]) {
          if (nib === 0xf) {
            done = true;
            break;
          }
          s += ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.', 'E', 'E-', '', '-'][nib] ?? '';
        }
      }
      operands.push(Number(s) || 0);
    } else if (b0 >= 32 && b0 <= 246) {
      operands.push(b0 - 139);
      p++;
    } else if (b0 >= 247 && b0 <= 250) {
      operands.push((b0 - 247) * 256 + d[p + 1] + 108);
      p += 2;
    } else if (b0 >= 251 && b0 <= 254) {
      operands.push(-(b0 - 251) * 256 - d[p + 1] - 108);
      p += 2;
    } else throw new FontError(`bad CFF DICT byte ${b0}`);
  }
  return out;
}

function bias(count: number): number {
  return count < 1240 ? 107 : count < 33900 ? 1131 : 32768;
}

/** Returns a function that yields the outline of a glyph id. */
export function readCffOutlines(d: Uint8Array): (gid: number) => PathCommand[] {
  if (d.length < 4 || d[0] !== 1) throw new FontError('only CFF version 1 is supported');
  const nameIndex = readIndex(d, d[2]);
  const topIndex = readIndex(d, nameIndex.end);
  const stringIndex = readIndex(d, topIndex.end);
  const gsubrs = readIndex(d, stringIndex.end);
  const [ts, te] = topIndex.item(0);
  const top = readDict(d, ts, te);
  const csType = top.get(1206)?.[0] ?? 2;
  if (csType !== 2) throw new FontError('only Type 2 charstrings are supported');
  const charStringsAt = top.get(17)?.[0];
  if (charStringsAt === undefined) throw new FontError('CFF has no CharStrings');
  const charStrings = readIndex(d, charStringsAt);

  const privateSubrs = (priv: number[] | undefined): CffIndex | undefined => {
    if (!priv || priv.length < 2) return undefined;
    const [size, offset] = priv;
    const pd = readDict(d, offset, offset + size);
    const subrs = pd.get(19)?.[0];
    return subrs === undefined ? undefined : readIndex(d, offset + subrs);
  };

  let subrsFor: (gid: number) => CffIndex | undefined;
  const fdArrayAt = top.get(1236)?.[0];
  if (fdArrayAt !== undefined) {
    const fdArray = readIndex(d, fdArrayAt);
    const fdSubrs = Array.from({ length: fdArray.count }, (_, i) => {
      const [s, e] = fdArray.item(i);
      return privateSubrs(readDict(d, s, e).get(18));
    });
    const fdSelectAt = top.get(1237)?.[0];
    if (fdSelectAt === undefined) throw new FontError('CID-keyed CFF without FDSelect');
    const format = d[fdSelectAt];
    let fdOf: (gid: number) => number;
    if (format === 0) fdOf = (gid) => d[fdSelectAt + 1 + gid];
    else if (format === 3) {
      const nRanges = (d[fdSelectAt + 1] << 8) | d[fdSelectAt + 2];
      fdOf = (gid) => {
        let lo = 0;
        let hi = nRanges - 1;
        while (lo <= hi) {
          const mid = (lo + hi) >> 1;
          const r = fdSelectAt + 3 + mid * 3;
          const first = (d[r] << 8) | d[r + 1];
          const next = (d[r + 3] << 8) | d[r + 4];
          if (gid < first) hi = mid - 1;
          else if (gid >= next) lo = mid + 1;
          else return d[r + 2];
        }
        return 0;
      };
    } else throw new FontError(`unsupported FDSelect format ${format}`);
    subrsFor = (gid) => fdSubrs[fdOf(gid)];
  } else {
    const subrs = privateSubrs(top.get(18));
    subrsFor = () => subrs;
  }

  return (gid) => {
    if (gid < 0 || gid >= charStrings.count) return [];
    const [s, e] = charStrings.item(gid);
    return runCharString(d, s, e, gsubrs, subrsFor(gid));
  };
}

function runCharString(
  d: Uint8Array,
  start: number,
  end: number,
  gsubrs: CffIndex,
  subrs: CffIndex | undefined,
) {
  const path: PathCommand[] = [];
  const stack: number[] = [];
  let x = 0;
  let y = 0;
  let nStems = 0;
  let open = false;
  let widthDone = false;
  let ended = false;
  let depth = 0;

  const moveTo = (dx: number, dy: number) => {
    if (open) path.push({ op: 'Z' });
    x += dx;
    y += dy;
    path.push({ op: 'M', x, y });
    open = true;
  };
  const lineTo = (dx: number, dy: number) => {
    x += dx;
    y += dy;
    path.push({ op: 'L', x, y });
  };
  const curveTo = (dx1: number, dy1: number, dx2: number, dy2: number, dx3: number, dy3: number) => {
    const x1 = x + dx1;
    const y1 = y + dy1;
    const x2 = x1 + dx2;
    const y2 = y1 + dy2;
    x = x2 + dx3;
    y = y2 + dy3;
    path.push({ op: 'C', x1, y1, x2, y2, x, y });
  };
  /** The first stack-clearing operator may carry the advance width as an extra first operand. */
  const takeWidth = (hasWidth: boolean) => {
    if (!widthDone && hasWidth) stack.shift();
    widthDone = true;
  };
  const stems = () => {
    takeWidth(stack.length % 2 === 1);
    nStems += stack.length >> 1;
    stack.length = 0;
  };

  const exec = (s: number, e: number) => {
    if (++depth > 12) throw new FontError('charstring subroutines nested too deeply');
    let p = s;
    while (p < e && !ended) {
      const b0 = d[p];
      if (b0 >= 32 || b0 === 28) {
        if (b0 === 28) {
          stack.push(((d[p + 1] << 24) | (d[p + 2] << 16)) >> 16);
          p += 3;
        } else if (b0 <= 246) {
          stack.push(b0 - 139);
          p++;
        } else if (b0 <= 250) {
          stack.push((b0 - 247) * 256 + d[p + 1] + 108);
          p += 2;
        } else if (b0 <= 254) {
          stack.push(-(b0 - 251) * 256 - d[p + 1] - 108);
          p += 2;
        } else {
          stack.push(((d[p + 1] << 24) | (d[p + 2] << 16) | (d[p + 3] << 8) | d[p + 4]) / 65536);
          p += 5;
        }
        continue;
      }
      p++;
      switch (b0) {
        case 1: // hstem
        case 3: // vstem
        case 18: // hstemhm
        case 23: // vstemhm
          stems();
          break;
        case 19: // hintmask
        case 20: // cntrmask
          stems();
          p += (nStems + 7) >> 3;
          break;
        case 21: // rmoveto
          takeWidth(stack.length > 2);
          moveTo(stack[0], stack[1]);
          stack.length = 0;
          break;
        case 22: // hmoveto
          takeWidth(stack.length > 1);
          moveTo(stack[0], 0);
          stack.length = 0;
          break;
        case 4: // vmoveto
          takeWidth(stack.length > 1);
          moveTo(0, stack[0]);
          stack.length = 0;
          break;
        case 5: // rlineto
          for (let i = 0; i + 1 < stack.length; i += 2) lineTo(stack[i], stack[i + 1]);
          stack.length = 0;
          break;
        case 6: // hlineto
        case 7: // vlineto
          for (let i = 0, horizontal = b0 === 6; i < stack.length; i++, horizontal = !horizontal) {
            if (horizontal) lineTo(stack[i], 0);
            else lineTo(0, stack[i]);
          }
          stack.length = 0;
          break;
        case 8: // rrcurveto
          for (let i = 0; i + 5 < stack.length; i += 6) curveTo(...six(stack, i));
          stack.length = 0;
          break;
        case 24: {
          // rcurveline
          let i = 0;
          for (; i + 7 < stack.length; i += 6) curveTo(...six(stack, i));
          lineTo(stack[i], stack[i + 1]);
          stack.length = 0;
          break;
        }
        case 25: {
          // rlinecurve
          let i = 0;
          for (; i + 7 < stack.length; i += 2) lineTo(stack[i], stack[i + 1]);
          curveTo(...six(stack, i));
          stack.length = 0;
          break;
        }
        case 26: {
          // vvcurveto
          let i = 0;
          let dx1 = 0;
          if (stack.length % 4 === 1) dx1 = stack[i++];
          for (; i + 3 < stack.length; i += 4) {
            curveTo(dx1, stack[i], stack[i + 1], stack[i + 2], 0, stack[i + 3]);
            dx1 = 0;
          }
          stack.length = 0;
          break;
        }
        case 27: {
          // hhcurveto
          let i = 0;
          let dy1 = 0;
          if (stack.length % 4 === 1) dy1 = stack[i++];
          for (; i + 3 < stack.length; i += 4) {
            curveTo(stack[i], dy1, stack[i + 1], stack[i + 2], stack[i + 3], 0);
            dy1 = 0;
          }
          stack.length = 0;
          break;
        }
        case 30: // vhcurveto
        case 31: {
          // hvcurveto
          let horizontal = b0 === 31;
          for (let i = 0; i + 3 < stack.length; i += 4, horizontal = !horizontal) {
            const last = i + 5 === stack.length ? stack[i + 4] : 0;
            if (horizontal) curveTo(stack[i], 0, stack[i + 1], stack[i + 2], last, stack[i + 3]);
            else curveTo(0, stack[i], stack[i + 1], stack[i + 2], stack[i + 3], last);
          }
          stack.length = 0;
          break;
        }
        case 10: // callsubr
        case 29: {
          // callgsubr
          const index = b0 === 10 ? subrs : gsubrs;
          if (!index) throw new FontError('charstring calls a missing subroutine');
          const n = (stack.pop() ?? 0) + bias(index.count);
          if (n < 0 || n >= index.count) throw new FontError('charstring subroutine out of range');
          const [ss, se] = index.item(n);
          exec(ss, se);
          break;
        }
        case 11: // return
          depth--;
          return;
        case 14: // endchar
          takeWidth(stack.length === 1 || stack.length === 5);
          if (open) path.push({ op: 'Z' });
          open = false;
          ended = true;
          break;
        case 12: {
          const op = d[p++];
          flex(op);
          stack.length = 0;
          break;
        }
        default:
          stack.length = 0; // reserved operators: ignore
      }
    }
    depth--;
  };

  const flex = (op: number) => {
    const a = stack;
    switch (op) {
      case 35: // flex
        curveTo(a[0], a[1], a[2], a[3], a[4], a[5]);
        curveTo(a[6], a[7], a[8], a[9], a[10], a[11]);
        break;
      case 34: // hflex
        curveTo(a[0], 0, a[1], a[2], a[3], 0);
        curveTo(a[4], 0, a[5], -a[2], a[6], 0);
        break;
      case 36: // hflex1
        curveTo(a[0], a[1], a[2], a[3], a[4], 0);
        curveTo(a[5], 0, a[6], a[7], a[8], -(a[1] + a[3] + a[7]));
        break;
      case 37: {
        // flex1
        const dx = a[0] + a[2] + a[4] + a[6] + a[8];
        const dy = a[1] + a[3] + a[5] + a[7] + a[9];
        const startX = x;
        const startY = y;
        curveTo(a[0], a[1], a[2], a[3], a[4], a[5]);
        curveTo(a[6], a[7], a[8], a[9], 0, 0);
        // The last point moves along the dominant axis by a[10].
        const last = path[path.length - 1];
        if (last.op === 'C') {
          if (Math.abs(dx) > Math.abs(dy)) {
            last.x = startX + dx + a[10];
            last.y = startY;
          } else {
            last.x = startX;
            last.y = startY + dy + a[10];
          }
          x = last.x;
          y = last.y;
        }
        break;
      }
      default:
        break; // arithmetic/storage operators are not used by the fonts we draw with
    }
  };

  exec(start, end);
  if (open) path.push({ op: 'Z' });
  return path;
}

function six(a: number[], i: number): [number, number, number, number, number, number] {
  return [a[i], a[i + 1], a[i + 2], a[i + 3], a[i + 4], a[i + 5]];
}
