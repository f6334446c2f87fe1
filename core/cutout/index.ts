export { DEFAULT_CUTOUT_OPTIONS, decontaminate, expandAlpha, makeCutout, maskAlpha, maskFromRgba } from './cutout.js';
export type { CutoutOptions, CutoutResult } from './cutout.js';
export { boxesForGauss, gaussianBlur, squaredDistanceTo, tripleBoxBlur } from './filters.js';
export { cropCutoutToShown } from './region.js';
