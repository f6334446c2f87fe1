import { fail, ErrorCode } from '../errors.js';
import type { Size } from '../image/types.js';
import type { BoxPrompt, Prompt } from './types.js';

/**
 * The most points one prompt may have. The SAM decoder's memory grows with every point (each is
 * a token attending to the 64×64 image tokens): the SlimSAM reference decoder runs out of wasm
 * memory (std::bad_alloc) a little under 10 000 points and takes seconds per click well before
 * that, while a person's prompt is a handful of points. 1000 leaves a wide margin on every model.
 */
export const MAX_PROMPT_POINTS = 1000;

/**
 * Checks a prompt against the image it is for and returns a normalised copy (box corners
 * ordered). Points must lie inside the image (edges included: 0 ≤ x ≤ width); a point
 * outside is almost always a coordinate-frame mistake by the caller, so it is refused with
 * the numbers rather than clamped silently.
 */
export function validatePrompt(prompt: Prompt, size: Size): Prompt {
  const { width, height } = size;
  if (!prompt.points.length && !prompt.box) {
    fail(ErrorCode.InvalidPrompt, 'the prompt is empty: give at least one point or a box');
  }
  if (prompt.points.length > MAX_PROMPT_POINTS) {
    fail(ErrorCode.InvalidPrompt, `the prompt has ${prompt.points.length} points; the model takes at most ${MAX_PROMPT_POINTS}: use fewer points (or a box)`);
  }
  prompt.points.forEach((p, i) => {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      fail(ErrorCode.InvalidPrompt, `point ${i + 1} has a coordinate that is not a finite number (${p.x}, ${p.y})`);
    }
    if (p.label !== 0 && p.label !== 1) {
      fail(ErrorCode.InvalidPrompt, `point ${i + 1} has label ${String(p.label)}; use 1 (foreground) or 0 (background)`);
    }
    if (p.x < 0 || p.y < 0 || p.x > width || p.y > height) {
      fail(
        ErrorCode.InvalidPrompt,
        `point ${i + 1} (${p.x}, ${p.y}) is outside the ${width}×${height} image; coordinates are original image pixels, x right, y down`,
      );
    }
  });
  if (prompt.points.length && prompt.points.every((p) => p.label === 0) && !prompt.box) {
    fail(ErrorCode.InvalidPrompt, 'only background points were given: add at least one foreground point (label 1) or a box');
  }
  let box: BoxPrompt | undefined;
  if (prompt.box) {
    const b = prompt.box;
    if (![b.x0, b.y0, b.x1, b.y1].every(Number.isFinite)) {
      fail(ErrorCode.InvalidPrompt, `the box has a coordinate that is not a finite number (${b.x0},${b.y0},${b.x1},${b.y1})`);
    }
    box = { x0: Math.min(b.x0, b.x1), y0: Math.min(b.y0, b.y1), x1: Math.max(b.x0, b.x1), y1: Math.max(b.y0, b.y1) };
    if (box.x1 - box.x0 < 1 || box.y1 - box.y0 < 1) {
      fail(ErrorCode.InvalidPrompt, `the box ${b.x0},${b.y0},${b.x1},${b.y1} is empty: it must be at least 1 pixel wide and high`);
    }
    if (box.x1 <= 0 || box.y1 <= 0 || box.x0 >= width || box.y0 >= height) {
      fail(ErrorCode.InvalidPrompt, `the box ${b.x0},${b.y0},${b.x1},${b.y1} lies outside the ${width}×${height} image`);
    }
    // A box that spills over the edge is clipped: dragging past the image border is normal.
    box = { x0: Math.max(0, box.x0), y0: Math.max(0, box.y0), x1: Math.min(width, box.x1), y1: Math.min(height, box.y1) };
  }
  if (prompt.previous && prompt.previous.data.length !== 256 * 256) {
    fail(ErrorCode.InvalidPrompt, `the previous mask must be 256×256 logits, got ${prompt.previous.data.length} values`);
  }
  return { points: prompt.points.map((p) => ({ ...p })), box, previous: prompt.previous };
}
