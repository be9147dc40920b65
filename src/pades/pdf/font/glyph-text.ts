import type { OutlineFont, PathCommand } from './outline-font';

/**
 * Lays text out as filled glyph outlines (PDF path operators, ISO 32000-1 §8.5) inside a box:
 * one line per entry, top-down, shrunk to fit both the height and the longest line's width.
 */
export function drawTextAsPaths(
  font: OutlineFont,
  lines: string[],
  box: { x: number; y: number; width: number; height: number },
  maxSize = 12,
): string {
  const n = Math.max(1, lines.length);
  const glyphLines = lines.map((line) => [...line].map((ch) => font.glyphId(ch.codePointAt(0) ?? 0)));
  const widthUnits = Math.max(
    1,
    ...glyphLines.map((g) => g.reduce((w, gid) => w + font.advanceWidth(gid), 0)),
  );
  const size = Math.max(
    1,
    Math.min(maxSize, box.height / (n * 1.25), (box.width * font.unitsPerEm) / widthUnits),
  );
  const scale = size / font.unitsPerEm;
  const lead = size * 1.25;
  const f = (v: number) => {
    const s = v.toFixed(2);
    return s === '-0.00' ? '0' : s.replace(/\.?0+$/, '');
  };
  let ops = '';
  glyphLines.forEach((gids, row) => {
    // Baseline: first line one em below the top, descenders room via the 1.25 leading.
    const baseY = box.y + box.height - size - row * lead;
    let penX = box.x;
    for (const gid of gids) {
      const commands = font.outline(gid);
      if (commands.length) ops += `${pathOps(commands, penX, baseY, scale, f)}f\n`;
      penX += font.advanceWidth(gid) * scale;
    }
  });
  return ops;
}

function pathOps(
  commands: PathCommand[],
  ox: number,
  oy: number,
  s: number,
  f: (v: number) => string,
): string {
  const X = (x: number) => f(ox + x * s);
  const Y = (y: number) => f(oy + y * s);
  let out = '';
  for (const c of commands) {
    switch (c.op) {
      case 'M':
        out += `${X(c.x)} ${Y(c.y)} m `;
        break;
      case 'L':
        out += `${X(c.x)} ${Y(c.y)} l `;
        break;
      case 'C':
        out += `${X(c.x1)} ${Y(c.y1)} ${X(c.x2)} ${Y(c.y2)} ${X(c.x)} ${Y(c.y)} c `;
        break;
      case 'Z':
        out += 'h ';
        break;
    }
  }
  return out;
}
