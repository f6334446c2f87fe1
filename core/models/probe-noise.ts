/**
 * Seeded probe values (xorshift32): the load-time checks of graph rewrites and the tests that
 * compare graphs feed the same reproducible inputs, so a failure can be replayed exactly.
 */

/** `n` deterministic values in [-scale, scale) from `seed` (0 counts as 1: xorshift has no zero state). */
export function probeNoise(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (((s >>> 0) / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}
