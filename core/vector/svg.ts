/**
 * SVG writer for traced paths: a standalone document in image pixels (or any frame the paths were
 * written in), one <path> per vector path with its fill rule.
 */
import { formatNumber } from './path.js';
import type { VectorPath } from './types.js';

export interface SvgOptions {
  /** Fill colour of the paths (default black). */
  fill?: string;
  /** Optional background colour painted first (default none: transparent). */
  background?: string;
}

function attr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** `<svg width="W" height="H" viewBox="0 0 W H">` holding the paths. */
export function toSvg(paths: readonly VectorPath[], width: number, height: number, options: SvgOptions = {}): string {
  const w = formatNumber(width);
  const h = formatNumber(height);
  const fill = attr(options.fill ?? '#000');
  const lines = [`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`];
  if (options.background) lines.push(`<rect width="${w}" height="${h}" fill="${attr(options.background)}"/>`);
  for (const p of paths) {
    const rule = p.windingRule === 'EVENODD' ? 'evenodd' : 'nonzero';
    lines.push(`<path d="${p.data}" fill="${fill}" fill-rule="${rule}"/>`);
  }
  lines.push('</svg>');
  return lines.join('\n') + '\n';
}
