/**
 * How the mask overlay is painted so that it reads on any image. A fixed brand-blue tint and
 * edge vanish on a blue object, and darkening what is left out does nothing on a dark
 * background. So:
 *   - the edge is a double stroke along the mask boundary (a line inside, a line outside), each
 *     of its pixels light or dark, whichever contrasts more with what is shown around it (a
 *     white line inside a black object and a dark one outside it on a white background…);
 *   - the fill tint is the palette colour farthest from the object's own mean colour;
 *   - what is left out is veiled towards whichever of black or white its mean is farther from,
 *     on hover too (lighter than for a committed mask).
 * Pure: mask + the image pixels under it (same size) → an RGBA overlay drawn with source-over.
 */
export type Rgb = readonly [number, number, number];

export interface PixelMap {
  width: number;
  height: number;
  /** Gray (1 byte per pixel, mask: > 0 is inside) or RGBA (4 bytes per pixel, image). */
  data: Uint8Array | Uint8ClampedArray;
}

export interface OverlayStyle {
  tint: Rgb;
  /** 0..255 */
  fillAlpha: number;
  veil: Rgb;
  veilAlpha: number;
}

/** Tints the fill is chosen from: the brand blue first, then colours far from it and each other. */
export const TINTS: readonly Rgb[] = [
  [13, 153, 255],
  [255, 36, 180],
  [255, 150, 0],
  [40, 210, 110],
];

const LIGHT: Rgb = [255, 255, 255];
const DARK: Rgb = [18, 18, 18];

/** WCAG relative luminance of an sRGB colour (0..1). */
export function luminance(r: number, g: number, b: number): number {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio (1..21). */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const la = luminance(a[0], a[1], a[2]);
  const lb = luminance(b[0], b[1], b[2]);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

function distance2(a: Rgb, b: Rgb): number {
  return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2;
}

/** Mean colour of the image where `want(maskValue)` holds (grey when there is none). */
function meanColour(image: PixelMap, mask: PixelMap, want: (inside: boolean) => boolean): Rgb {
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  const step = Math.max(1, Math.floor(Math.sqrt((mask.width * mask.height) / 20000)));
  for (let y = 0; y < mask.height; y += step) {
    for (let x = 0; x < mask.width; x += step) {
      const i = y * mask.width + x;
      if (!want(mask.data[i]! > 0)) continue;
      r += image.data[i * 4]!;
      g += image.data[i * 4 + 1]!;
      b += image.data[i * 4 + 2]!;
      n++;
    }
  }
  return n ? [r / n, g / n, b / n] : [128, 128, 128];
}

/** The overlay's colours for this image and mask. */
export function chooseOverlayStyle(image: PixelMap, mask: PixelMap, hover: boolean): OverlayStyle {
  const inside = meanColour(image, mask, (v) => v);
  const outside = meanColour(image, mask, (v) => !v);
  let tint = TINTS[0]!;
  let best = -1;
  for (const t of TINTS) {
    const d = distance2(t, inside);
    // The brand colour wins unless another is clearly farther from the object.
    const score = t === TINTS[0] ? d * 1.25 : d;
    if (score > best) {
      best = score;
      tint = t;
    }
  }
  const darkOutside = luminance(outside[0], outside[1], outside[2]) < 0.18;
  return {
    tint,
    fillAlpha: hover ? 70 : 84,
    veil: darkOutside ? LIGHT : DARK,
    veilAlpha: darkOutside ? (hover ? 70 : 105) : hover ? 60 : 100,
  };
}

/**
 * Distance classes around the boundary: 1 for mask pixels within `width` (chessboard) of the
 * outside (the inner stroke), 2 for outside pixels within `width` of the mask (the outer
 * stroke), 0 elsewhere.
 */
export function edgeBands(mask: PixelMap, width: number): Uint8Array {
  const w = mask.width;
  const h = mask.height;
  const inside = (x: number, y: number) => mask.data[y * w + x]! > 0;
  const out = new Uint8Array(w * h);
  const k = Math.max(1, Math.round(width));
  // Separable max filters of "inside" and "outside" give, per pixel, whether the other side
  // lies within k.
  const near = (want: boolean): Uint8Array => {
    const row = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
      let last = -Infinity;
      for (let x = 0; x < w; x++) {
        if (inside(x, y) === want) last = x;
        if (x - last <= k) row[y * w + x] = 1;
      }
      last = Infinity;
      for (let x = w - 1; x >= 0; x--) {
        if (inside(x, y) === want) last = x;
        if (last - x <= k) row[y * w + x] = 1;
      }
    }
    const res = new Uint8Array(w * h);
    for (let x = 0; x < w; x++) {
      let last = -Infinity;
      for (let y = 0; y < h; y++) {
        if (row[y * w + x]) last = y;
        if (y - last <= k) res[y * w + x] = 1;
      }
      last = Infinity;
      for (let y = h - 1; y >= 0; y--) {
        if (row[y * w + x]) last = y;
        if (last - y <= k) res[y * w + x] = 1;
      }
    }
    return res;
  };
  const nearOutside = near(false);
  const nearInside = near(true);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (inside(x, y)) {
        if (nearOutside[i]) out[i] = 1;
      } else if (nearInside[i]) {
        out[i] = 2;
      }
    }
  }
  return out;
}

/**
 * The overlay's pixels (RGBA, same size as `mask`), to be drawn over `image` with source-over.
 * `strokeWidth`: the width in mask pixels of each of the two lines.
 */
export function paintOverlay(mask: PixelMap, image: PixelMap, style: OverlayStyle, strokeWidth: number): Uint8ClampedArray<ArrayBuffer> {
  const w = mask.width;
  const h = mask.height;
  const px = new Uint8ClampedArray(w * h * 4);
  const bands = edgeBands(mask, strokeWidth);
  const [tr, tg, tb] = style.tint;
  const [vr, vg, vb] = style.veil;
  for (let i = 0; i < w * h; i++) {
    const o = i * 4;
    const band = bands[i]!;
    if (band) {
      // Light or dark, whichever contrasts more with what the screen shows around this
      // pixel: the image under it with the fill (inner line) or the veil (outer line) on top.
      const [cr, cg, cb, ca] = band === 1 ? [tr, tg, tb, style.fillAlpha] : [vr, vg, vb, style.veilAlpha];
      const a = ca / 255;
      const l = luminance(cr * a + image.data[o]! * (1 - a), cg * a + image.data[o + 1]! * (1 - a), cb * a + image.data[o + 2]! * (1 - a));
      const c = (l + 0.05) / (luminance(DARK[0], DARK[1], DARK[2]) + 0.05) > 1.05 / (l + 0.05) ? DARK : LIGHT;
      px[o] = c[0];
      px[o + 1] = c[1];
      px[o + 2] = c[2];
      px[o + 3] = 255;
    } else if (mask.data[i]! > 0) {
      px[o] = tr;
      px[o + 1] = tg;
      px[o + 2] = tb;
      px[o + 3] = style.fillAlpha;
    } else {
      px[o] = vr;
      px[o + 1] = vg;
      px[o + 2] = vb;
      px[o + 3] = style.veilAlpha;
    }
  }
  return px;
}

/** `over` (RGBA) drawn onto `under` (RGBA, opaque) with source-over: what the screen shows. */
export function composite(under: PixelMap, over: Uint8ClampedArray | Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(under.width * under.height * 4);
  for (let i = 0; i < out.length; i += 4) {
    const a = over[i + 3]! / 255;
    for (let c = 0; c < 3; c++) out[i + c] = Math.round(over[i + c]! * a + under.data[i + c]! * (1 - a));
    out[i + 3] = 255;
  }
  return out;
}
