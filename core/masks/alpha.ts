import type { FloatMap, GrayImage } from '../image/types.js';

/**
 * Soft alpha from logits: each pixel's coverage estimated from the signed distance to the
 * 0-level set, d ≈ L / |∇L| (in pixels), coverage = clamp(0.5 + d, 0, 1). This gives
 * anti-aliased, sub-pixel edges whatever the logits' scale (SAM's vary by image and model),
 * and is exactly the hard mask wherever the edge is more than half a pixel away.
 */
export function coverageAlpha(logits: FloatMap, threshold = 0): GrayImage {
  const { width: w, height: h, data } = logits;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const up = y > 0 ? row - w : row;
    const down = y < h - 1 ? row + w : row;
    const dy = y > 0 && y < h - 1 ? 0.5 : 1;
    for (let x = 0; x < w; x++) {
      const v = data[row + x]! - threshold;
      const left = x > 0 ? x - 1 : x;
      const right = x < w - 1 ? x + 1 : x;
      const dx = x > 0 && x < w - 1 ? 0.5 : 1;
      const gx = (data[row + right]! - data[row + left]!) * (right === left ? 0 : dx);
      const gy = (data[down + x]! - data[up + x]!) * (down === up ? 0 : dy);
      const g = Math.sqrt(gx * gx + gy * gy);
      let a: number;
      if (g < 1e-12) a = v > 0 ? 1 : 0;
      else a = Math.min(1, Math.max(0, 0.5 + v / g));
      out[row + x] = Math.round(a * 255);
    }
  }
  return { width: w, height: h, data: out };
}

/** Logistic alpha: sigmoid(logit · gain). For models whose outputs are calibrated logits. */
export function sigmoidAlpha(logits: FloatMap, gain = 1): GrayImage {
  const out = new Uint8Array(logits.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(255 / (1 + Math.exp(-logits.data[i]! * gain)));
  return { width: logits.width, height: logits.height, data: out };
}
