// The Cutout icon as RGBA pixels, for Penpot's plugin list (manifest `icon`, ≥ 56 × 56).
// build.mjs encodes it with core/image/png.ts into dist/penpot/icon.png. The drawing is the
// UI's header logo (ui/index.html: a dashed selection circle and a pointer, 16-unit viewBox),
// white on a rounded violet square, rasterised here with 4 × 4 supersampling: no image
// library, no binary file in the repository.

const BG = [0x69, 0x11, 0xd4]; // Penpot's light accent
const FG = [0xff, 0xff, 0xff];

/** Distance from p to the segment a–b. */
function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function insidePolygon(px, py, pts) {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i];
    const [xj, yj] = pts[j];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

// The logo in its 16-unit box (see ui/index.html).
const CIRCLE = { cx: 7, cy: 7, r: 5.2, width: 1.3, dash: 2.2, gap: 1.7 };
const ARROW = [
  [9.4, 9.4],
  [14.4, 11],
  [12.3, 11.8],
  [11.5, 13.9],
];
const ARROW_STROKE = 0.8;

/** Coverage test of one point of the logo, in logo units. */
function inLogo(x, y) {
  const d = Math.hypot(x - CIRCLE.cx, y - CIRCLE.cy);
  if (Math.abs(d - CIRCLE.r) <= CIRCLE.width / 2) {
    // SVG dashes start at the circle's rightmost point and run clockwise on screen (y down).
    let a = Math.atan2(y - CIRCLE.cy, x - CIRCLE.cx);
    if (a < 0) a += 2 * Math.PI;
    const along = (a * CIRCLE.r) % (CIRCLE.dash + CIRCLE.gap);
    if (along <= CIRCLE.dash) return true;
  }
  if (insidePolygon(x, y, ARROW)) return true;
  for (let i = 0; i < ARROW.length; i++) {
    const [ax, ay] = ARROW[i];
    const [bx, by] = ARROW[(i + 1) % ARROW.length];
    if (segmentDistance(x, y, ax, ay, bx, by) <= ARROW_STROKE / 2) return true;
  }
  return false;
}

/** Inside a square of side `size` with corner radius `radius`. */
function inRoundedSquare(x, y, size, radius) {
  const cx = Math.min(Math.max(x, radius), size - radius);
  const cy = Math.min(Math.max(y, radius), size - radius);
  return x >= 0 && y >= 0 && x <= size && y <= size && Math.hypot(x - cx, y - cy) <= radius;
}

/** The icon, `size` × `size` RGBA (not premultiplied; transparent outside the rounded square). */
export function penpotIcon(size = 128) {
  const data = new Uint8Array(size * size * 4);
  const S = 4; // samples per axis
  const radius = size * 0.22;
  const logoScale = (size * 0.74) / 16; // the logo fills 74% of the side
  const logoOffset = (size - 16 * logoScale) / 2 + size * 0.01;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = px + (sx + 0.5) / S;
          const y = py + (sy + 0.5) / S;
          if (!inRoundedSquare(x, y, size, radius)) continue;
          bg++;
          if (inLogo((x - logoOffset) / logoScale, (y - logoOffset) / logoScale)) fg++;
        }
      }
      const i = (py * size + px) * 4;
      const alpha = bg / (S * S);
      const f = bg ? fg / bg : 0;
      for (let c = 0; c < 3; c++) data[i + c] = Math.round(BG[c] * (1 - f) + FG[c] * f);
      data[i + 3] = Math.round(alpha * 255);
    }
  }
  return { width: size, height: size, data };
}
