import { FontError, type PathCommand } from './outline-font';

/**
 * TrueType glyf outlines (OpenType spec, 'glyf' and 'loca'), simple and composite glyphs.
 * Quadratic B-splines become cubic Béziers (exact: control points at 2/3).
 */
export function readTrueTypeOutlines(
  data: Uint8Array,
  glyf: { offset: number; length: number },
  loca: { offset: number; length: number },
  indexToLocFormat: number,
  numGlyphs: number,
): (gid: number) => PathCommand[] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const locaAt = (i: number) =>
    indexToLocFormat === 0 ? dv.getUint16(loca.offset + i * 2) * 2 : dv.getUint32(loca.offset + i * 4);

  const glyph = (gid: number, depth: number): PathCommand[] => {
    if (gid < 0 || gid >= numGlyphs) return [];
    if (depth > 8) throw new FontError('composite glyphs nested too deeply');
    const start = glyf.offset + locaAt(gid);
    const end = glyf.offset + locaAt(gid + 1);
    if (end <= start) return [];
    if (end > glyf.offset + glyf.length) throw new FontError('glyph outside the glyf table');
    const nContours = dv.getInt16(start);
    return nContours >= 0 ? simple(start, nContours) : composite(start, depth);
  };

  const simple = (start: number, nContours: number): PathCommand[] => {
    let p = start + 10;
    const endPts: number[] = [];
    for (let i = 0; i < nContours; i++, p += 2) endPts.push(dv.getUint16(p));
    const nPoints = nContours ? endPts[nContours - 1] + 1 : 0;
    p += 2 + dv.getUint16(p); // instructions
    const flags: number[] = [];
    while (flags.length < nPoints) {
      const f = data[p++];
      flags.push(f);
      if (f & 8) for (let r = data[p++]; r > 0; r--) flags.push(f);
    }
    const coords = (shortBit: number, sameBit: number) => {
      const out: number[] = [];
      let v = 0;
      for (const f of flags) {
        if (f & shortBit) {
          const d = data[p++];
          v += f & sameBit ? d : -d;
        } else if (!(f & sameBit)) {
          v += dv.getInt16(p);
          p += 2;
        }
        out.push(v);
      }
      return out;
    };
    const xs = coords(2, 16);
    const ys = coords(4, 32);
    const path: PathCommand[] = [];
    let first = 0;
    for (const last of endPts) {
      contour(path, xs.slice(first, last + 1), ys.slice(first, last + 1), flags.slice(first, last + 1));
      first = last + 1;
    }
    return path;
  };

  const composite = (start: number, depth: number): PathCommand[] => {
    const path: PathCommand[] = [];
    let p = start + 10;
    for (;;) {
      const flags = dv.getUint16(p);
      const gid = dv.getUint16(p + 2);
      p += 4;
      let dx: number;
      let dy: number;
      if (flags & 1) {
        dx = dv.getInt16(p);
        dy = dv.getInt16(p + 2);
        p += 4;
      } else {
        dx = dv.getInt8(p);
        dy = dv.getInt8(p + 1);
        p += 2;
      }
      let a = 1;
      let b = 0;
      let c = 0;
      let d = 1;
      const f2dot14 = (at: number) => dv.getInt16(at) / 16384;
      if (flags & 8) {
        a = d = f2dot14(p);
        p += 2;
      } else if (flags & 0x40) {
        a = f2dot14(p);
        d = f2dot14(p + 2);
        p += 4;
      } else if (flags & 0x80) {
        a = f2dot14(p);
        b = f2dot14(p + 2);
        c = f2dot14(p + 4);
        d = f2dot14(p + 6);
        p += 8;
      }
      // ARGS_ARE_XY_VALUES (2) is the common case; point matching is not supported (rare, legacy).
      if (!(flags & 2))
        throw new FontError('composite glyphs positioned by point matching are not supported');
      const tx = (x: number, y: number) => a * x + c * y + dx;
      const ty = (x: number, y: number) => b * x + d * y + dy;
      for (const cmd of glyph(gid, depth + 1)) {
        if (cmd.op === 'Z') path.push(cmd);
        else if (cmd.op === 'C') {
          path.push({
            op: 'C',
            x1: tx(cmd.x1, cmd.y1),
            y1: ty(cmd.x1, cmd.y1),
            x2: tx(cmd.x2, cmd.y2),
            y2: ty(cmd.x2, cmd.y2),
            x: tx(cmd.x, cmd.y),
            y: ty(cmd.x, cmd.y),
          });
        } else path.push({ op: cmd.op, x: tx(cmd.x, cmd.y), y: ty(cmd.x, cmd.y) });
      }
      if (!(flags & 0x20)) break; // MORE_COMPONENTS
    }
    return path;
  };

  return (gid) => glyph(gid, 0);
}

/** One closed quadratic contour → M/L/C/Z commands. */
function contour(path: PathCommand[], xs: number[], ys: number[], flags: number[]): void {
  const n = xs.length;
  if (n === 0) return;
  const on = (i: number) => (flags[i] & 1) === 1;
  // Start at an on-curve point (or the midpoint of two off-curve points).
  let startIdx = flags.findIndex((f) => (f & 1) === 1);
  let sx: number;
  let sy: number;
  // All points off-curve: start at the implied on-curve midpoint between the last and first point,
  // then walk every point (total = n + 1 steps including the close).
  const allOff = startIdx < 0;
  if (allOff) {
    sx = (xs[0] + xs[n - 1]) / 2;
    sy = (ys[0] + ys[n - 1]) / 2;
    startIdx = n - 1;
  } else {
    sx = xs[startIdx];
    sy = ys[startIdx];
  }
  const total = allOff ? n + 1 : n;
  path.push({ op: 'M', x: sx, y: sy });
  let cx = sx;
  let cy = sy;
  let ctrl: [number, number] | undefined;
  const quad = (qx: number, qy: number, x: number, y: number) => {
    path.push({
      op: 'C',
      x1: cx + ((qx - cx) * 2) / 3,
      y1: cy + ((qy - cy) * 2) / 3,
      x2: x + ((qx - x) * 2) / 3,
      y2: y + ((qy - y) * 2) / 3,
      x,
      y,
    });
    cx = x;
    cy = y;
  };
  for (let k = 1; k <= total; k++) {
    const i = (startIdx + k) % n;
    const closing = k === total;
    const x = closing ? sx : xs[i];
    const y = closing ? sy : ys[i];
    const isOn = closing || on(i);
    if (isOn) {
      if (ctrl) quad(ctrl[0], ctrl[1], x, y);
      else {
        path.push({ op: 'L', x, y });
        cx = x;
        cy = y;
      }
      ctrl = undefined;
    } else if (ctrl) {
      const mx = (ctrl[0] + x) / 2;
      const my = (ctrl[1] + y) / 2;
      quad(ctrl[0], ctrl[1], mx, my);
      ctrl = [x, y];
    } else ctrl = [x, y];
  }
  path.push({ op: 'Z' });
}
