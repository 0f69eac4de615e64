/**
 * A small raster and PNG encoder, with no native dependency: filled rectangles, lines and text in
 * a built-in 5x7 pixel font (upper case, digits and a little punctuation), written as an RGB PNG
 * with `node:zlib`. Enough for the bench's bar and line charts. Pure.
 */
import { deflateSync } from 'node:zlib';

export type Rgb = readonly [number, number, number];

/** 5x7 glyphs, one string of 7 rows of 5 pixels each ('#' = ink). Lower case letters use the upper case glyph. */
export const FONT: Record<string, string> = {
  'A': '.###.#...##...#######...##...##...#', 'B': '####.#...##...#####.#...##...#####.',
  'C': '.###.#...##....#....#....#...#.###.', 'D': '####.#...##...##...##...##...#####.',
  'E': '######....#....####.#....#....#####', 'F': '######....#....####.#....#....#....',
  'G': '.###.#...##....#.####...##...#.####', 'H': '#...##...##...#######...##...##...#',
  'I': '.###...#....#....#....#....#...###.', 'J': '..###...#....#....#....#.#..#..##..',
  'K': '#...##..#.#.#..##...#.#..#..#.#...#', 'L': '#....#....#....#....#....#....#####',
  'M': '#...###.###.#.##...##...##...##...#', 'N': '#...###..##.#.##..###...##...##...#',
  'O': '.###.#...##...##...##...##...#.###.', 'P': '####.#...##...#####.#....#....#....',
  'Q': '.###.#...##...##...##.#.##..#..##.#', 'R': '####.#...##...#####.#.#..#..#.#...#',
  'S': '.#####....#.....###.....#....#####.', 'T': '#####..#....#....#....#....#....#..',
  'U': '#...##...##...##...##...##...#.###.', 'V': '#...##...##...##...##...#.#.#...#..',
  'W': '#...##...##...##.#.##.#.##.#.#.#.#.', 'X': '#...##...#.#.#...#...#.#.#...##...#',
  'Y': '#...##...#.#.#...#....#....#....#..', 'Z': '#####....#...#...#...#...#....#####',
  '0': '.###.#...##..###.#.###..##...#.###.', '1': '..#...##....#....#....#....#...###.',
  '2': '.###.#...#....#...#...#...#...#####', '3': '#####...#...#.....#.....##...#.###.',
  '4': '...#...##..#.#.#..#.#####...#....#.', '5': '######....####.....#....##...#.###.',
  '6': '..##..#...#....####.#...##...#.###.', '7': '#####....#...#...#...#....#....#...',
  '8': '.###.#...##...#.###.#...##...#.###.', '9': '.###.#...##...#.####....#...#..##..',
  ' ': '.'.repeat(35), '.': '.'.repeat(25) + '.##...##..', ',': '.'.repeat(20) + '.##..' + '.##..' + '..#..',
  ':': '.....##...##.........##...##.......', '/': '.........#...#...#...#...#.........',
  '(': '...#...#...#....#....#.....#.....#.', ')': '.#.....#.....#....#....#...#...#...',
  '-': '...............#####...............', '+': '.......#....#..#####..#....#.......',
  '%': '##...##..#...#...#...#...#..##...##', '<': '....#...#...#...#.....#.....#.....#',
  '>': '#.....#.....#.....#...#...#...#....', '=': '..........#####.....#####..........',
  '_': '.'.repeat(30) + '#####', '[': '.###..#....#....#....#....#....###.', ']': '.###....#....#....#....#....#..###.',
  "'": '..#....#..' + '.'.repeat(25), 'µ': '.....#...##...##...##..###.##.#....',
};

export class Raster {
  readonly pixels: Buffer;
  constructor(readonly width: number, readonly height: number, background: Rgb = [255, 255, 255]) {
    this.pixels = Buffer.alloc(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) {
      for (let xx = x0; xx < x1; xx++) {
        const i = (yy * this.width + xx) * 3;
        this.pixels[i] = color[0];
        this.pixels[i + 1] = color[1];
        this.pixels[i + 2] = color[2];
      }
    }
  }

  /** A line `thickness` pixels wide (square brush), for curves. */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, thickness = 2): void {
    const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
    for (let s = 0; s <= steps; s++) {
      const t = s / steps;
      this.fillRect(x0 + (x1 - x0) * t - thickness / 2, y0 + (y1 - y0) * t - thickness / 2, thickness, thickness, color);
    }
  }

  /** Text in the built-in font, `scale` pixels per font pixel; returns its width. Unknown characters print as '?'-less blanks. */
  text(x: number, y: number, text: string, color: Rgb, scale = 2): number {
    let cx = x;
    for (const ch of text) {
      const glyph = FONT[ch] ?? FONT[ch.toUpperCase()] ?? FONT[' ']!;
      for (let r = 0; r < 7; r++) {
        for (let c = 0; c < 5; c++) if (glyph[r * 5 + c] === '#') this.fillRect(cx + c * scale, y + r * scale, scale, scale, color);
      }
      cx += 6 * scale;
    }
    return cx - x;
  }

  static textWidth(text: string, scale = 2): number {
    return [...text].length * 6 * scale;
  }

  /** The image as a PNG file (8-bit RGB, no interlace). */
  toPng(): Buffer {
    const rowBytes = this.width * 3;
    const raw = Buffer.alloc((rowBytes + 1) * this.height);
    for (let y = 0; y < this.height; y++) {
      raw[y * (rowBytes + 1)] = 0; // filter: none
      this.pixels.copy(raw, y * (rowBytes + 1) + 1, y * rowBytes, (y + 1) * rowBytes);
    }
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(this.width, 0);
    ihdr.writeUInt32BE(this.height, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // colour type: RGB
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('IDAT', deflateSync(raw, { level: 9 })),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  }
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 as PNG chunks use it (node:zlib's crc32 needs Node 22). */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
