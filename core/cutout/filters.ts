/**
 * Raster filters on float planes used by the cutout: separable box blurs (three of them make a
 * fast Gaussian), and the exact Euclidean distance transform (Felzenszwalb & Huttenlocher,
 * "Distance Transforms of Sampled Functions", 2012: lower envelope of parabolas, one pass per axis).
 */

/** Box widths whose three-fold convolution approximates a Gaussian of standard deviation σ. */
export function boxesForGauss(sigma: number, n = 3): number[] {
  const wIdeal = Math.sqrt((12 * sigma * sigma) / n + 1);
  let wl = Math.floor(wIdeal);
  if (wl % 2 === 0) wl--;
  const wu = wl + 2;
  const mIdeal = (12 * sigma * sigma - n * wl * wl - 4 * n * wl - 3 * n) / (-4 * wl - 4);
  const m = Math.round(mIdeal);
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) sizes.push(i < m ? wl : wu);
  return sizes;
}

/** One horizontal box blur of radius r (edges clamped), src → dst. */
function boxH(src: Float32Array, dst: Float32Array, w: number, h: number, r: number): void {
  const inv = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let s = 0;
    for (let k = -r; k <= r; k++) s += src[row + (k < 0 ? 0 : k >= w ? w - 1 : k)]!;
    for (let x = 0; x < w; x++) {
      dst[row + x] = s * inv;
      const add = x + r + 1;
      const sub = x - r;
      s += src[row + (add >= w ? w - 1 : add)]! - src[row + (sub < 0 ? 0 : sub)]!;
    }
  }
}

/**
 * One vertical box blur of radius r (edges clamped), src → dst. Walks rows in memory order
 * with one running sum per column (`sums`, length ≥ w): a column-by-column walk touches a new
 * cache line per pixel and is an order of magnitude slower on wide images.
 */
function boxV(src: Float32Array, dst: Float32Array, w: number, h: number, r: number, sums: Float64Array): void {
  const inv = 1 / (2 * r + 1);
  sums.fill(0, 0, w);
  for (let k = -r; k <= r; k++) {
    const row = (k < 0 ? 0 : k >= h ? h - 1 : k) * w;
    for (let x = 0; x < w; x++) sums[x] += src[row + x]!;
  }
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) dst[o + x] = sums[x]! * inv;
    const add = y + r + 1;
    const sub = y - r;
    const addRow = (add >= h ? h - 1 : add) * w;
    const subRow = (sub < 0 ? 0 : sub) * w;
    if (addRow === subRow) continue;
    for (let x = 0; x < w; x++) sums[x] += src[addRow + x]! - src[subRow + x]!;
  }
}

/**
 * Gaussian blur of a plane (σ in px): three box blurs per axis (exact Gaussian kernel below σ 2). Edges are clamped, so a
 * plane that is 1 up to the border stays 1 there. Returns a new plane.
 */
export function gaussianBlur(plane: Float32Array, w: number, h: number, sigma: number): Float32Array {
  let a = Float32Array.from(plane);
  if (!(sigma > 0.3)) return a;
  // Small radii: box widths are too coarse, convolve with the sampled Gaussian itself.
  if (sigma < 2) return kernelBlur(a, w, h, sigma);
  const b = new Float32Array(a.length);
  const sums = new Float64Array(w);
  for (const size of boxesForGauss(sigma)) {
    const r = (size - 1) >> 1;
    if (r < 1) continue;
    boxH(a, b, w, h, r);
    boxV(b, a, w, h, r, sums);
  }
  return a;
}

/**
 * gaussianBlur into `plane` itself, with working memory of a few rows instead of two more
 * planes: the same sums in the same order, so the same values bit for bit. Each pass keeps
 * the original of the rows it still reads (a row's own copy across; the last r+1 rows down).
 */
export function gaussianBlurInPlace(plane: Float32Array, w: number, h: number, sigma: number): void {
  if (!(sigma > 0.3)) return;
  const row = new Float32Array(w);
  if (sigma < 2) {
    const r = Math.ceil(3 * sigma);
    const k = new Float32Array(2 * r + 1);
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
    for (let i = 0; i < k.length; i++) k[i] = k[i]! / sum;
    for (let y = 0; y < h; y++) {
      const o = y * w;
      row.set(plane.subarray(o, o + w));
      for (let x = 0; x < w; x++) {
        let v = 0;
        for (let i = -r; i <= r; i++) {
          const xx = x + i;
          v += k[i + r]! * row[xx < 0 ? 0 : xx >= w ? w - 1 : xx]!;
        }
        plane[o + x] = v;
      }
    }
    // Rows above y are overwritten: their originals are in `ring` (row j in slot j mod r+1).
    const ring = new Float32Array((r + 1) * w);
    for (let y = 0; y < h; y++) {
      ring.set(plane.subarray(y * w, y * w + w), (y % (r + 1)) * w);
      for (let x = 0; x < w; x++) {
        let v = 0;
        for (let i = -r; i <= r; i++) {
          const yy = y + i < 0 ? 0 : y + i >= h ? h - 1 : y + i;
          v += k[i + r]! * (yy < y ? ring[(yy % (r + 1)) * w + x]! : yy === y ? ring[(y % (r + 1)) * w + x]! : plane[yy * w + x]!);
        }
        row[x] = v;
      }
      plane.set(row, y * w);
    }
    return;
  }
  const sums = new Float64Array(w);
  for (const size of boxesForGauss(sigma)) {
    const r = (size - 1) >> 1;
    if (r < 1) continue;
    const inv = 1 / (2 * r + 1);
    for (let y = 0; y < h; y++) {
      const o = y * w;
      row.set(plane.subarray(o, o + w));
      let s = 0;
      for (let k = -r; k <= r; k++) s += row[k < 0 ? 0 : k >= w ? w - 1 : k]!;
      for (let x = 0; x < w; x++) {
        plane[o + x] = s * inv;
        const add = x + r + 1;
        const sub = x - r;
        s += row[add >= w ? w - 1 : add]! - row[sub < 0 ? 0 : sub]!;
      }
    }
    const ring = new Float32Array((r + 1) * w);
    sums.fill(0, 0, w);
    for (let k = -r; k <= r; k++) {
      const o = (k < 0 ? 0 : k >= h ? h - 1 : k) * w;
      for (let x = 0; x < w; x++) sums[x] += plane[o + x]!;
    }
    for (let y = 0; y < h; y++) {
      const o = y * w;
      ring.set(plane.subarray(o, o + w), (y % (r + 1)) * w);
      for (let x = 0; x < w; x++) plane[o + x] = sums[x]! * inv;
      const add = y + r + 1;
      const sub = y - r;
      const addRow = add >= h ? h - 1 : add;
      const subRow = sub < 0 ? 0 : sub;
      if (addRow === subRow) continue;
      // The row added is below y (not yet written) unless clamped to the last row, which is
      // only reached once y is the last row; the row taken away is above: its original.
      const addAt = addRow > y ? plane.subarray(addRow * w, addRow * w + w) : ring.subarray((addRow % (r + 1)) * w, (addRow % (r + 1)) * w + w);
      const subAt = (subRow % (r + 1)) * w;
      for (let x = 0; x < w; x++) sums[x] += addAt[x]! - ring[subAt + x]!;
    }
  }
}

/** Separable convolution with a normalised sampled Gaussian (radius ⌈3σ⌉, edges clamped). */
function kernelBlur(a: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const r = Math.ceil(3 * sigma);
  const k = new Float32Array(2 * r + 1);
  let sum = 0;
  for (let i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i] = k[i]! / sum;
  const b = new Float32Array(a.length);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let i = -r; i <= r; i++) {
        const xx = x + i;
        v += k[i + r]! * a[row + (xx < 0 ? 0 : xx >= w ? w - 1 : xx)]!;
      }
      b[row + x] = v;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 0;
      for (let i = -r; i <= r; i++) {
        const yy = y + i;
        v += k[i + r]! * b[(yy < 0 ? 0 : yy >= h ? h - 1 : yy) * w + x]!;
      }
      a[y * w + x] = v;
    }
  }
  return a;
}

/** Box blur of radius r applied three times per axis (a cheap wide smoothing kernel). */
export function tripleBoxBlur(plane: Float32Array, w: number, h: number, r: number): Float32Array {
  const a = Float32Array.from(plane);
  tripleBoxBlurInPlace(a, w, h, r, new Float32Array(a.length));
  return a;
}

/** tripleBoxBlur into `plane` itself, with `tmp` (same length) as the only working plane. */
export function tripleBoxBlurInPlace(plane: Float32Array, w: number, h: number, r: number, tmp: Float32Array): void {
  if (r < 1) return;
  const sums = new Float64Array(w);
  for (let i = 0; i < 3; i++) {
    boxH(plane, tmp, w, h, r);
    boxV(tmp, plane, w, h, r, sums);
  }
}

const INF = 1e20;

/** 1-D squared distance transform of f (length n) into d, using scratch v (int) and z. */
function dt1(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    const fq = f[q]! + q * q;
    let p = v[k]!;
    let s = (fq - (f[p]! + p * p)) / (2 * (q - p));
    while (s <= z[k]!) {
      k--;
      p = v[k]!;
      s = (fq - (f[p]! + p * p)) / (2 * (q - p));
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const p = v[k]!;
    d[q] = (q - p) * (q - p) + f[p]!;
  }
}

/**
 * Squared Euclidean distance from every pixel centre to the nearest pixel where `seed` is true
 * (0 on seeds). Without any seed every distance is ≥ 1e20.
 */
export function squaredDistanceTo(seed: (i: number) => boolean, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = seed(i) ? 0 : INF;
  // Rows and columns are transformed in float64; the plane is stored in float32 (exact for
  // squared distances up to 2^24, i.e. 4096 px, and ample beyond).
  const n = Math.max(w, h);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = out[y * w + x]!;
    dt1(f, h, d, v, z);
    for (let y = 0; y < h; y++) out[y * w + x] = d[y]!;
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) f[x] = out[row + x]!;
    dt1(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[row + x] = d[x]!;
  }
  return out;
}
