/**
 * The reference's point grid: n × n points at the centres of an n × n tiling of the unit
 * square, row by row (x fastest), scaled to the image.
 */
export function pointGrid(n: number): Array<[number, number]> {
  const offset = 1 / (2 * n);
  const side: number[] = [];
  // linspace(offset, 1 - offset, n) with numpy's rounding: i·((stop − start)/(n − 1)) + start,
  // the last point exactly stop.
  const stop = 1 - offset;
  const step = n > 1 ? (stop - offset) / (n - 1) : 0;
  for (let i = 0; i < n; i++) side.push(i === n - 1 && n > 1 ? stop : i * step + offset);
  const out: Array<[number, number]> = [];
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) out.push([side[i]!, side[j]!]);
  return out;
}

/** Grid points in original pixels for an image of width × height. */
export function imagePoints(n: number, width: number, height: number): Array<[number, number]> {
  return pointGrid(n).map(([x, y]) => [x * width, y * height]);
}
