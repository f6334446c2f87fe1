import type { GrayImage, RgbaImage } from '../../core/image/types.js';

/** A flat shape in original pixels; a pixel is inside when its centre is. */
export type Shape =
  | { kind: 'disc'; cx: number; cy: number; r: number; color: [number, number, number] }
  | { kind: 'rect'; x0: number; y0: number; x1: number; y1: number; color: [number, number, number] }
  | { kind: 'ring'; cx: number; cy: number; r0: number; r1: number; color: [number, number, number] };

export function inside(s: Shape, px: number, py: number): boolean {
  const x = px + 0.5;
  const y = py + 0.5;
  switch (s.kind) {
    case 'disc':
      return (x - s.cx) ** 2 + (y - s.cy) ** 2 < s.r ** 2;
    case 'rect':
      return x >= s.x0 && x < s.x1 && y >= s.y0 && y < s.y1;
    case 'ring': {
      const d = (x - s.cx) ** 2 + (y - s.cy) ** 2;
      return d < s.r1 ** 2 && d >= s.r0 ** 2;
    }
  }
}

/** Renders shapes (later ones on top) over a flat background. */
export function render(width: number, height: number, bg: [number, number, number], shapes: Shape[]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c = bg;
      for (const s of shapes) if (inside(s, x, y)) c = s.color;
      const i = (y * width + x) * 4;
      data[i] = c[0];
      data[i + 1] = c[1];
      data[i + 2] = c[2];
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

/** Ground-truth mask of one shape (as visible: shapes after it may cover it). */
export function truth(width: number, height: number, shapes: Shape[], index: number): GrayImage {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let top = -1;
      shapes.forEach((s, k) => {
        if (inside(s, x, y)) top = k;
      });
      if (top === index) data[y * width + x] = 255;
    }
  }
  return { width, height, data };
}

export function union(a: GrayImage, b: GrayImage): GrayImage {
  return { width: a.width, height: a.height, data: a.data.map((v, i) => (v || b.data[i] ? 255 : 0)) };
}

/** Bounding box of a shape, optionally grown by `pad` and clipped to the image. */
export function shapeBox(s: Shape, pad = 0, size?: { width: number; height: number }): { x0: number; y0: number; x1: number; y1: number } {
  const b =
    s.kind === 'rect'
      ? { x0: s.x0, y0: s.y0, x1: s.x1, y1: s.y1 }
      : { x0: s.cx - (s.kind === 'disc' ? s.r : s.r1), y0: s.cy - (s.kind === 'disc' ? s.r : s.r1), x1: s.cx + (s.kind === 'disc' ? s.r : s.r1), y1: s.cy + (s.kind === 'disc' ? s.r : s.r1) };
  const g = { x0: b.x0 - pad, y0: b.y0 - pad, x1: b.x1 + pad, y1: b.y1 + pad };
  return size ? { x0: Math.max(0, g.x0), y0: Math.max(0, g.y0), x1: Math.min(size.width, g.x1), y1: Math.min(size.height, g.y1) } : g;
}
