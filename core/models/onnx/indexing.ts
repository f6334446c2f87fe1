/** Row-major index arithmetic over tensor shapes, shared by shape inference and the region evaluator. */

/** Number of elements of a shape. */
export const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Row-major index → coordinates. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = i % shape[k]!;
    i = Math.floor(i / shape[k]!);
  }
  return idx;
}

/** Coordinates → row-major index. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let k = 0; k < shape.length; k++) i = i * shape[k]! + idx[k]!;
  return i;
}

/** Index into an input broadcast to the output's coordinates (numpy rules: right-aligned, size-1 dims repeat). */
export function broadcastIndex(outIdx: readonly number[], shape: readonly number[]): number {
  const off = outIdx.length - shape.length;
  let i = 0;
  for (let k = 0; k < shape.length; k++) i = i * shape[k]! + (shape[k] === 1 ? 0 : outIdx[k + off]!);
  return i;
}
