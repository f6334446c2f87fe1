/** An 8-bit RGBA raster, row-major, top-left origin, not premultiplied. */
export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, R G B A. */
  data: Uint8Array;
}

/** An 8-bit single-channel raster (masks: 0 outside, 255 inside; alpha maps). */
export interface GrayImage {
  width: number;
  height: number;
  /** width * height bytes. */
  data: Uint8Array;
}

/** A float raster (logits, probabilities), row-major. */
export interface FloatMap {
  width: number;
  height: number;
  data: Float32Array;
}

/** Sizes are always (width, height) in this codebase; (H, W) only inside tensor shapes. */
export interface Size {
  width: number;
  height: number;
}
