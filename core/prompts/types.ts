/** Prompts are always given in ORIGINAL image pixels: x right, y down, origin top-left. */

/** 1 = foreground (include), 0 = background (exclude). */
export type PointLabel = 0 | 1;

export interface PointPrompt {
  x: number;
  y: number;
  label: PointLabel;
}

/** An axis-aligned box, corners in original pixels (x0 < x1, y0 < y1 after normalising). */
export interface BoxPrompt {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** SAM's low-resolution logits for one candidate: 256×256, fed back to refine. */
export interface LowResMask {
  width: 256;
  height: 256;
  data: Float32Array;
}

export interface Prompt {
  points: PointPrompt[];
  box?: BoxPrompt;
  /**
   * The previous low-resolution mask (the chosen candidate of the previous decode), for
   * formats with a mask input (sam1, sam2). Formats without one ignore it; their refinement
   * is the full click history, which the caller always sends.
   */
  previous?: LowResMask;
}
