import type { GrayImage } from '../image/types.js';

/** A box as [x, y, width, height] in original pixels, the reference's XYWH convention. */
export type XYWH = [number, number, number, number];

/**
 * One object found by the automatic mask generator: the fields and meanings of the
 * reference's records (segment-anything's SamAutomaticMaskGenerator.generate).
 */
export interface EverythingMask {
  /** Stable id in this run: the order in which the mask was accepted (streamed masks carry the same id). */
  id: number;
  /** The mask at the image's original size: 255 inside, 0 outside. */
  segmentation: GrayImage;
  /** Pixels inside. */
  area: number;
  /**
   * Bounding box [x, y, w, h] in original pixels. As in the reference, w = x_max − x_min and
   * h = y_max − y_min of the inside pixels (a one-pixel mask has w = h = 0).
   */
  bbox: XYWH;
  /** The decoder's predicted IoU for this candidate. */
  predicted_iou: number;
  /** IoU of the mask cut at +offset and at −offset around the logit threshold. */
  stability_score: number;
  /** The grid point (original pixels) whose decode gave this mask. */
  point_coords: [[number, number]];
  /** The crop the mask was found in, [x, y, w, h] (the whole image without crop layers). */
  crop_box: XYWH;
}

export interface EverythingProgress {
  /** Grid points handled so far (decoded or skipped). */
  done: number;
  /** Grid points in all. */
  total: number;
  /** Of `done`, points skipped because an accepted mask already covered them. */
  skipped: number;
  /** Masks accepted so far (before duplicates are removed). */
  accepted: number;
}

export interface EverythingOptions {
  /** Grid points along each side (the grid has n² points). Reference default 32. */
  pointsPerSide?: number;
  /** Points decoded per decoder run where the model allows batching. Reference default 64. */
  pointsPerBatch?: number;
  /** Keep candidates whose predicted IoU is above this. Reference default 0.88. */
  predIouThresh?: number;
  /** Keep candidates whose stability score is at least this. Reference default 0.95. */
  stabilityScoreThresh?: number;
  /** The ± offset of the stability score's two cuts. Reference default 1.0. */
  stabilityScoreOffset?: number;
  /** Logit threshold of the masks. Reference default 0. */
  maskThreshold?: number;
  /** Box IoU above which the lower-scoring mask is dropped as a duplicate. Reference default 0.7. */
  boxNmsThresh?: number;
  /** Holes and islands smaller than this many pixels are removed (0 = none). Reference default 0. */
  minMaskRegionArea?: number;
  /**
   * Skip grid points that already lie inside an accepted mask (default true: much faster,
   * nearly the same objects). Masks covering more than half the image do not count, so
   * one background mask cannot hide the objects in it. false = the reference's exact behaviour.
   */
  skipCovered?: boolean;
  /**
   * Called once per accepted mask as soon as it is accepted, largest-first ordering is NOT
   * guaranteed and a streamed mask may still be removed as a duplicate at the end: the
   * returned list is authoritative (its ids are a subset of the streamed ids).
   */
  onMask?: (mask: EverythingMask) => void;
  /** Called after each decoder run and once at the start (done = 0). */
  onProgress?: (progress: EverythingProgress) => void;
  /** Aborting stops between decoder runs with a CANCELLED error. */
  signal?: AbortSignal;
}

export interface EverythingStats {
  /** Grid points in all. */
  points: number;
  /** Points sent to the decoder. */
  decoded: number;
  /** Points skipped because an accepted mask covered them. */
  skipped: number;
  /** Decoder runs (a run may decode several points when the model batches). */
  decoderRuns: number;
  /** Candidates that passed both filters (before duplicate removal). */
  accepted: number;
  /** Masks returned. */
  kept: number;
  /** Time spent in the decoder, and in all. */
  decodeMs: number;
  totalMs: number;
}

export interface EverythingResult {
  /** The objects, largest area first. */
  masks: EverythingMask[];
  stats: EverythingStats;
}

/** The reference's defaults (SamAutomaticMaskGenerator.__init__). */
export const EVERYTHING_DEFAULTS = {
  pointsPerSide: 32,
  pointsPerBatch: 64,
  predIouThresh: 0.88,
  stabilityScoreThresh: 0.95,
  stabilityScoreOffset: 1.0,
  maskThreshold: 0,
  boxNmsThresh: 0.7,
  minMaskRegionArea: 0,
  skipCovered: true,
} as const;
