/**
 * Affine helpers for the fake, deliberately independent of plugin/figma/placement.ts so the
 * fake does not share (and hide) the plugin's mistakes. Layout = Figma's `Transform`:
 * [[a, b, tx], [c, d, ty]] → x' = a·x + b·y + tx, y' = c·x + d·y + ty.
 */
export type Mat = [[number, number, number], [number, number, number]];

export const I: Mat = [
  [1, 0, 0],
  [0, 1, 0],
];

/** p after q. */
export function mul(p: Mat, q: Mat): Mat {
  return [
    [p[0][0] * q[0][0] + p[0][1] * q[1][0], p[0][0] * q[0][1] + p[0][1] * q[1][1], p[0][0] * q[0][2] + p[0][1] * q[1][2] + p[0][2]],
    [p[1][0] * q[0][0] + p[1][1] * q[1][0], p[1][0] * q[0][1] + p[1][1] * q[1][1], p[1][0] * q[0][2] + p[1][1] * q[1][2] + p[1][2]],
  ];
}

export function inv(m: Mat): Mat {
  const [[a, b, e], [c, d, f]] = m;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-15) throw new Error('fake: singular transform');
  const A = d / det;
  const B = -b / det;
  const C = -c / det;
  const D = a / det;
  return [
    [A, B, -(A * e + B * f)],
    [C, D, -(C * e + D * f)],
  ];
}

export function ap(m: Mat, x: number, y: number): [number, number] {
  return [m[0][0] * x + m[0][1] * y + m[0][2], m[1][0] * x + m[1][1] * y + m[1][2]];
}

export function copyMat(m: Mat): Mat {
  return [
    [m[0][0], m[0][1], m[0][2]],
    [m[1][0], m[1][1], m[1][2]],
  ];
}

export function linear(m: Mat): Mat {
  return [
    [m[0][0], m[0][1], 0],
    [m[1][0], m[1][1], 0],
  ];
}

export function withTranslation(m: Mat, x: number, y: number): Mat {
  return [
    [m[0][0], m[0][1], x],
    [m[1][0], m[1][1], y],
  ];
}

export function isMat(v: unknown): v is Mat {
  return (
    Array.isArray(v) &&
    v.length === 2 &&
    v.every((row) => Array.isArray(row) && row.length === 3 && row.every((n) => typeof n === 'number' && Number.isFinite(n)))
  );
}

/** Axis-aligned bounds of the corners of a w×h box under m. */
export function boxBounds(m: Mat, w: number, h: number): { x0: number; y0: number; x1: number; y1: number } {
  const pts = [ap(m, 0, 0), ap(m, w, 0), ap(m, w, h), ap(m, 0, h)];
  return {
    x0: Math.min(...pts.map((p) => p[0])),
    y0: Math.min(...pts.map((p) => p[1])),
    x1: Math.max(...pts.map((p) => p[0])),
    y1: Math.max(...pts.map((p) => p[1])),
  };
}
