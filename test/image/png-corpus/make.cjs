// Writes the source images of this corpus as PNM/PAM (deterministic), then has netpbm's
// libpng-based writers encode them: see README.md. Run: node make.cjs (needs netpbm).
const fs = require('fs');
const { execFileSync } = require('child_process');
const [W, H] = [19, 13];
let seed = 12345;
const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
function pam(name, depth, maxval, tupl, sample) {
  const bytesPer = maxval > 255 ? 2 : 1;
  const body = Buffer.alloc(W * H * depth * bytesPer);
  let o = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < depth; c++) {
    const v = sample(x, y, c);
    if (bytesPer === 2) body.writeUInt16BE(v, o), (o += 2);
    else body[o++] = v;
  }
  const head = `P7\nWIDTH ${W}\nHEIGHT ${H}\nDEPTH ${depth}\nMAXVAL ${maxval}\nTUPLTYPE ${tupl}\nENDHDR\n`;
  fs.writeFileSync(name, Buffer.concat([Buffer.from(head), body]));
}
const r = (max) => Math.floor(rnd() * (max + 1));
pam('grey1.pam', 1, 1, 'GRAYSCALE', (x, y) => ((x >> 1) + y) & 1);
pam('grey2.pam', 1, 3, 'GRAYSCALE', () => r(3));
pam('grey4.pam', 1, 15, 'GRAYSCALE', () => r(15));
pam('grey8.pam', 1, 255, 'GRAYSCALE', () => r(255));
pam('grey16.pam', 1, 65535, 'GRAYSCALE', () => r(65535));
pam('rgb8.pam', 3, 255, 'RGB', () => r(255));
pam('rgb16.pam', 3, 65535, 'RGB', () => r(65535));
const palette = [[255, 0, 0], [0, 128, 255], [20, 200, 20], [250, 250, 250], [0, 0, 0], [128, 64, 32]];
const idx = Array.from({ length: W * H }, () => r(palette.length - 1));
pam('palette.pam', 3, 255, 'RGB', (x, y, c) => palette[idx[y * W + x]][c]);
pam('grey8a.pam', 2, 255, 'GRAYSCALE_ALPHA', () => r(255));
pam('rgba8.pam', 4, 255, 'RGB_ALPHA', () => r(255));
pam('rgba16.pam', 4, 65535, 'RGB_ALPHA', () => r(65535));
// A colour key that occurs in the image: its first pixel.
const first = (src, n) => { const b = fs.readFileSync(src); const at = b.indexOf('ENDHDR\n') + 7; return [...b.subarray(at, at + n)]; };
const hex = (v) => v.toString(16).padStart(2, '0');
const key = (src, n) => { const p = first(src, n); const [r, g, b] = n === 1 ? [p[0], p[0], p[0]] : p; return `rgb:${hex(r)}/${hex(g)}/${hex(b)}`; };
const run = (tool, args, input, out) => fs.writeFileSync(out, execFileSync(tool, [...args, input], { stdio: ['ignore', 'pipe', 'ignore'] }));
// pnmtopng for the PNM-type sources (it chooses bit depth and palette itself), pamtopng for alpha.
const pnm = (src) => execFileSync('pamtopnm', [src], { stdio: ['ignore', 'pipe', 'ignore'] });
for (const [out, src, args] of [
  ['grey1.png', 'grey1.pam', []],
  ['grey2.png', 'grey2.pam', []],
  ['grey4.png', 'grey4.pam', []],
  ['grey8.png', 'grey8.pam', []],
  ['grey16.png', 'grey16.pam', []],
  ['rgb8.png', 'rgb8.pam', ['-force']],
  ['rgb16.png', 'rgb16.pam', []],
  ['palette.png', 'palette.pam', []],
  ['palette-trns.png', 'palette.pam', ['-transparent', 'rgb:00/80/ff']],
  ['grey8-key.png', 'grey8.pam', ['-transparent', key('grey8.pam', 1)]],
  ['rgb8-key.png', 'rgb8.pam', ['-force', '-transparent', key('rgb8.pam', 3)]],
  ['grey2-interlaced.png', 'grey2.pam', ['-interlace']],
  ['palette-interlaced.png', 'palette.pam', ['-interlace']],
  ['rgb16-interlaced.png', 'rgb16.pam', ['-interlace']],
  ['rgb8-level0.png', 'rgb8.pam', ['-force', '-compression', '0']],
]) {
  fs.writeFileSync('tmp.pnm', pnm(src));
  run('pnmtopng', args, 'tmp.pnm', out);
}
fs.unlinkSync('tmp.pnm');
for (const [out, src, args] of [
  ['grey8a.png', 'grey8a.pam', []],
  ['rgba8.png', 'rgba8.pam', []],
  ['rgba16.png', 'rgba16.pam', []],
  ['rgba8-interlaced.png', 'rgba8.pam', ['-interlace']],
]) run('pamtopng', args, src, out);
