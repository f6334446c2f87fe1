/**
 * SVG path data as Penpot's `Path.d` / `Path.content` setters take it.
 *
 * Penpot parses with common/svg/path/parser.js: SVG grammar (absolute and relative M L H V C S
 * Q T A Z, implicit repeated commands, numbers with exponents, compact arc flags), then
 * absolutizes and simplifies to M / L / C / Z only (H, V → L; S, Q, T → C; arcs → cubic
 * Béziers, with the same arc → Bézier algorithm ported below). The result is stored as
 * float32 (types/path/impl.cljc) and `d` reads back as e.g. "M0,0L100,100C…Z".
 *
 * Where Penpot's parser does NOT reject bad input it does worse: data not starting with M/m
 * silently becomes an empty path, and a stray token (e.g. "M0 0 L x") makes its iterator spin
 * without advancing. The fake therefore parses strictly and throws a "fake:" error for
 * anything Penpot would not turn into the intended path: garbage, NaN/Infinity, missing
 * parameters, a number like "1." (Penpot requires a digit after the point), numbers after Z,
 * and blank input. "" is Penpot's own validation error (the setter's schema check).
 */
import type { Seg } from '../../figma/fake/paths.js';

export type { Seg };

/** A normalised segment (absolute, M/L/C/Z only), coordinates in page space. */
export interface PathSeg {
  cmd: 'M' | 'L' | 'C' | 'Z';
  /** M/L: [x, y]; C: [c1x, c1y, c2x, c2y, x, y]; Z: []. */
  pts: number[];
}

export class PathSyntaxError extends Error {}

const COMMANDS = 'MmLlHhVvCcSsQqTtAaZz';
const ARITY: Record<string, number> = { M: 2, L: 2, H: 1, V: 1, C: 6, S: 4, Q: 4, T: 2, A: 7, Z: 0 };

interface RawSeg {
  cmd: string;
  params: number[];
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f';
}

class Scanner {
  i = 0;
  constructor(readonly s: string) {}

  fail(what: string): never {
    const near = this.s.slice(Math.max(0, this.i - 10), this.i + 10);
    throw new PathSyntaxError(`fake: invalid SVG path data at index ${this.i} (near "${near}"): ${what}`);
  }

  skipSpaces(): void {
    while (this.i < this.s.length && isSpace(this.s[this.i])) this.i++;
  }

  /** After a number or flag: optional spaces, one optional comma, optional spaces. */
  skipDelimiter(): void {
    this.skipSpaces();
    if (this.s[this.i] === ',') {
      this.i++;
      this.skipSpaces();
    }
  }

  number(): number {
    this.skipSpaces();
    const start = this.i;
    const s = this.s;
    if (s[this.i] === '+' || s[this.i] === '-') this.i++;
    const intStart = this.i;
    while (this.i < s.length && s[this.i] >= '0' && s[this.i] <= '9') this.i++;
    const hasInt = this.i > intStart;
    let hasFrac = false;
    if (s[this.i] === '.') {
      this.i++;
      const fracStart = this.i;
      while (this.i < s.length && s[this.i] >= '0' && s[this.i] <= '9') this.i++;
      hasFrac = this.i > fracStart;
      if (!hasFrac) this.fail('a "." must be followed by a digit');
    }
    if (!hasInt && !hasFrac) {
      this.i = start;
      this.fail(`expected a number, found ${s[start] === undefined ? 'the end' : JSON.stringify(s[start])}`);
    }
    if ((s[this.i] === 'e' || s[this.i] === 'E') && this.i + 1 < s.length) {
      this.i++;
      if (s[this.i] === '+' || s[this.i] === '-') this.i++;
      const expStart = this.i;
      while (this.i < s.length && s[this.i] >= '0' && s[this.i] <= '9') this.i++;
      if (this.i === expStart) this.fail('an exponent needs digits');
    }
    const v = Number(s.slice(start, this.i));
    if (!Number.isFinite(v)) this.fail(`number ${s.slice(start, this.i)} is not finite`);
    this.skipDelimiter();
    return v;
  }

  flag(): number {
    const ch = this.s[this.i];
    if (ch !== '0' && ch !== '1') this.fail('an arc flag must be 0 or 1');
    this.i++;
    this.skipDelimiter();
    return ch === '1' ? 1 : 0;
  }
}

function parseRaw(data: string): RawSeg[] {
  const sc: Scanner = new Scanner(data);
  sc.skipSpaces();
  if (sc.i >= data.length) sc.fail('the path is blank (Penpot would store an empty path)');
  const segs: RawSeg[] = [];
  let prev: string | null = null;
  while (sc.i < data.length) {
    const ch = data[sc.i];
    let cmd: string;
    if (COMMANDS.includes(ch)) {
      cmd = ch;
      sc.i++;
    } else if (prev !== null && (ch === '+' || ch === '-' || ch === '.' || (ch >= '0' && ch <= '9'))) {
      if (prev === 'Z' || prev === 'z') sc.fail('numbers cannot follow Z');
      cmd = prev === 'M' ? 'L' : prev === 'm' ? 'l' : prev;
    } else {
      sc.fail(`unexpected ${JSON.stringify(ch)}`);
    }
    if (prev === null && cmd !== 'M' && cmd !== 'm') {
      sc.i = 0;
      sc.fail('path data must start with M or m (Penpot would store an empty path)');
    }
    const up = cmd.toUpperCase();
    const params: number[] = [];
    if (up === 'A') {
      params.push(sc.number(), sc.number(), sc.number());
      sc.skipSpaces();
      params.push(sc.flag());
      sc.skipSpaces();
      params.push(sc.flag(), sc.number(), sc.number());
    } else {
      for (let k = 0; k < ARITY[up]; k++) params.push(sc.number());
      if (up === 'Z') sc.skipSpaces();
    }
    segs.push({ cmd, params });
    prev = cmd;
  }
  return segs;
}

function absolutize(segs: RawSeg[]): RawSeg[] {
  let cx = 0;
  let cy = 0;
  let sx = 0;
  let sy = 0;
  return segs.map(({ cmd, params }) => {
    const p = params.slice();
    const rel = cmd !== cmd.toUpperCase();
    const up = cmd.toUpperCase();
    if (rel) {
      switch (up) {
        case 'M':
        case 'L':
        case 'T':
          p[0] += cx;
          p[1] += cy;
          break;
        case 'C':
          for (let k = 0; k < 6; k += 2) {
            p[k] += cx;
            p[k + 1] += cy;
          }
          break;
        case 'S':
        case 'Q':
          for (let k = 0; k < 4; k += 2) {
            p[k] += cx;
            p[k + 1] += cy;
          }
          break;
        case 'A':
          p[5] += cx;
          p[6] += cy;
          break;
        case 'H':
          p[0] += cx;
          break;
        case 'V':
          p[0] += cy;
          break;
      }
    }
    switch (up) {
      case 'M':
        cx = sx = p[0];
        cy = sy = p[1];
        break;
      case 'H':
        cx = p[0];
        break;
      case 'V':
        cy = p[0];
        break;
      case 'Z':
        cx = sx;
        cy = sy;
        break;
      default:
        cx = p[p.length - 2];
        cy = p[p.length - 1];
    }
    return { cmd: up, params: p };
  });
}

// ---- arcs → cubic Béziers (port of Penpot's parser.js arcToBeziers)

function unitVectorAngle(ux: number, uy: number, vx: number, vy: number): number {
  const sign = ux * vy - uy * vx < 0 ? -1 : 1;
  let d = ux * vx + uy * vy;
  d = d > 1 ? 1 : d < -1 ? -1 : d;
  return sign * Math.acos(d);
}

function arcToBeziers(x1: number, y1: number, x2: number, y2: number, fa: number, fs: number, rx: number, ry: number, phi: number): number[][] {
  const tau = Math.PI * 2;
  const phiTau = (phi * tau) / 360;
  const sinPhi = Math.sin(phiTau);
  const cosPhi = Math.cos(phiTau);
  const x1p = (cosPhi * (x1 - x2)) / 2 + (sinPhi * (y1 - y2)) / 2;
  const y1p = (-sinPhi * (x1 - x2)) / 2 + (cosPhi * (y1 - y2)) / 2;
  if (x1p === 0 && y1p === 0) return [];
  if (rx === 0 || ry === 0) return [];
  rx = Math.abs(rx);
  ry = Math.abs(ry);
  const lambda = (x1p * x1p) / (rx * rx) + (y1p * y1p) / (ry * ry);
  if (lambda > 1) {
    rx *= Math.sqrt(lambda);
    ry *= Math.sqrt(lambda);
  }
  // centre (getArcCenter)
  const rxSq = rx * rx;
  const rySq = ry * ry;
  let radicant = rxSq * rySq - rxSq * y1p * y1p - rySq * x1p * x1p;
  radicant = radicant < 0 ? 0 : radicant;
  radicant /= rxSq * y1p * y1p + rySq * x1p * x1p;
  radicant = Math.sqrt(radicant) * (fa === fs ? -1 : 1);
  const cxp = radicant * (rx / ry) * y1p;
  const cyp = radicant * (-ry / rx) * x1p;
  const cx = cosPhi * cxp - sinPhi * cyp + (x1 + x2) / 2;
  const cy = sinPhi * cxp + cosPhi * cyp + (y1 + y2) / 2;
  const v1x = (x1p - cxp) / rx;
  const v1y = (y1p - cyp) / ry;
  const v2x = (-x1p - cxp) / rx;
  const v2y = (-y1p - cyp) / ry;
  let theta1 = unitVectorAngle(1, 0, v1x, v1y);
  let dtheta = unitVectorAngle(v1x, v1y, v2x, v2y);
  if (fs === 0 && dtheta > 0) dtheta -= tau;
  if (fs === 1 && dtheta < 0) dtheta += tau;
  const segments = Math.max(Math.ceil(Math.abs(dtheta) / (tau / 4)), 1);
  dtheta /= segments;
  const out: number[][] = [];
  for (let i = 0; i < segments; i++) {
    const alpha = (4 / 3) * Math.tan(dtheta / 4);
    const ax = Math.cos(theta1);
    const ay = Math.sin(theta1);
    const bx = Math.cos(theta1 + dtheta);
    const by = Math.sin(theta1 + dtheta);
    const unit = [ax - ay * alpha, ay + ax * alpha, bx + by * alpha, by - bx * alpha, bx, by];
    const c: number[] = [];
    for (let k = 0; k < 6; k += 2) {
      const px = unit[k] * rx;
      const py = unit[k + 1] * ry;
      c.push(cx + cosPhi * px - sinPhi * py, cy + sinPhi * px + cosPhi * py);
    }
    out.push(c);
    theta1 += dtheta;
  }
  return out;
}

function simplify(segs: RawSeg[]): PathSeg[] {
  const out: PathSeg[] = [];
  let last: string | null = null;
  let lcx = 0;
  let lcy = 0;
  let cx = 0;
  let cy = 0;
  let sx = 0;
  let sy = 0;
  for (const { cmd, params: p } of segs) {
    switch (cmd) {
      case 'M':
        out.push({ cmd: 'M', pts: [p[0], p[1]] });
        cx = sx = p[0];
        cy = sy = p[1];
        break;
      case 'L':
        out.push({ cmd: 'L', pts: [p[0], p[1]] });
        cx = p[0];
        cy = p[1];
        break;
      case 'H':
        out.push({ cmd: 'L', pts: [p[0], cy] });
        cx = p[0];
        break;
      case 'V':
        out.push({ cmd: 'L', pts: [cx, p[0]] });
        cy = p[0];
        break;
      case 'C':
        out.push({ cmd: 'C', pts: p.slice(0, 6) });
        lcx = p[2];
        lcy = p[3];
        cx = p[4];
        cy = p[5];
        break;
      case 'S': {
        const c1x = last === 'C' || last === 'S' ? 2 * cx - lcx : cx;
        const c1y = last === 'C' || last === 'S' ? 2 * cy - lcy : cy;
        out.push({ cmd: 'C', pts: [c1x, c1y, p[0], p[1], p[2], p[3]] });
        lcx = p[0];
        lcy = p[1];
        cx = p[2];
        cy = p[3];
        break;
      }
      case 'Q':
      case 'T': {
        let qx: number;
        let qy: number;
        let x: number;
        let y: number;
        if (cmd === 'Q') {
          [qx, qy, x, y] = p;
        } else {
          qx = last === 'Q' || last === 'T' ? 2 * cx - lcx : cx;
          qy = last === 'Q' || last === 'T' ? 2 * cy - lcy : cy;
          [x, y] = p;
        }
        out.push({ cmd: 'C', pts: [cx + (2 * (qx - cx)) / 3, cy + (2 * (qy - cy)) / 3, x + (2 * (qx - x)) / 3, y + (2 * (qy - y)) / 3, x, y] });
        lcx = qx;
        lcy = qy;
        cx = x;
        cy = y;
        break;
      }
      case 'A': {
        const [rx, ry, phi, fa, fs, x, y] = p;
        if (rx === 0 || ry === 0) {
          out.push({ cmd: 'C', pts: [cx, cy, x, y, x, y] });
        } else if (cx !== x || cy !== y) {
          for (const c of arcToBeziers(cx, cy, x, y, fa, fs, Math.abs(rx), Math.abs(ry), phi)) out.push({ cmd: 'C', pts: c });
        }
        cx = x;
        cy = y;
        break;
      }
      case 'Z':
        out.push({ cmd: 'Z', pts: [] });
        cx = sx;
        cy = sy;
        break;
    }
    last = cmd;
  }
  return out;
}

/** Parses SVG path data strictly and normalises it as Penpot stores it (float32, M/L/C/Z). */
export function parsePathData(data: string): PathSeg[] {
  return simplify(absolutize(parseRaw(data))).map((s) => ({ cmd: s.cmd, pts: s.pts.map((v) => Math.fround(v)) }));
}

/** Penpot's path-data toString. */
export function serializePath(segs: readonly PathSeg[]): string {
  return segs.map((s) => s.cmd + s.pts.map((v) => String(v)).join(',')).join('');
}

/** The figma fake's segment type (for its flatten / winding / bounds helpers). */
export function toSegs(segs: readonly PathSeg[]): Seg[] {
  return segs.map((s) => ({ cmd: s.cmd, pts: s.pts.slice() }));
}

export function transformPath(segs: readonly PathSeg[], f: (x: number, y: number) => [number, number]): PathSeg[] {
  return segs.map((s) => {
    const pts: number[] = [];
    for (let k = 0; k < s.pts.length; k += 2) {
      const [x, y] = f(s.pts[k], s.pts[k + 1]);
      pts.push(Math.fround(x), Math.fround(y));
    }
    return { cmd: s.cmd, pts };
  });
}

const COMMAND_NAMES: Record<PathSeg['cmd'], string> = { M: 'move-to', L: 'line-to', C: 'curve-to', Z: 'close-path' };
const COMMAND_LETTERS: Record<string, PathSeg['cmd']> = {
  M: 'M',
  'move-to': 'M',
  L: 'L',
  'line-to': 'L',
  C: 'C',
  'curve-to': 'C',
  Z: 'Z',
  'close-path': 'Z',
};

/** `Path.commands` as Penpot formats them (format-path-content). */
export function formatCommands(segs: readonly PathSeg[]): Array<{ command: string; params?: Record<string, number> }> {
  return segs.map((s): { command: string; params?: Record<string, number> } => {
    const p = s.pts;
    switch (s.cmd) {
      case 'M':
      case 'L':
        return { command: COMMAND_NAMES[s.cmd], params: { x: p[0], y: p[1] } };
      case 'C':
        return { command: 'curve-to', params: { x: p[4], y: p[5], c1x: p[0], c1y: p[1], c2x: p[2], c2y: p[3] } };
      default:
        return { command: 'close-path' };
    }
  });
}

/**
 * `Path.commands = …` input (Penpot's decode-segments accepts the four normalised commands).
 * Returns null when a command is not one of them or its params are not finite numbers.
 */
export function parseCommands(value: unknown): PathSeg[] | null {
  if (!Array.isArray(value)) return null;
  const out: PathSeg[] = [];
  for (const c of value) {
    if (c === null || typeof c !== 'object') return null;
    const letter = COMMAND_LETTERS[(c as { command?: unknown }).command as string];
    if (!letter) return null;
    const params = ((c as { params?: Record<string, unknown> }).params ?? {}) as Record<string, unknown>;
    const names = letter === 'C' ? ['c1x', 'c1y', 'c2x', 'c2y', 'x', 'y'] : letter === 'Z' ? [] : ['x', 'y'];
    const pts: number[] = [];
    for (const n of names) {
      const v = params[n];
      if (typeof v !== 'number' || !Number.isFinite(v)) return null;
      pts.push(Math.fround(v));
    }
    out.push({ cmd: letter, pts });
  }
  return out;
}
