export * from './types.js';
export { segmentEverything, multimaskIndices } from './generate.js';
export { pointGrid, imagePoints } from './grid.js';
export { boxIoU, nms, toXYWH, type XYXY } from './boxes.js';
export { removeSmallRegions } from './regions.js';
export { measureCandidate, stabilityFromCounts } from './candidate.js';
