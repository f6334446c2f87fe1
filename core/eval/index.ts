export { errorDistances, nextClick, squaredDistanceTransform, type Click } from './clicker.js';
export {
  evaluateImage,
  gtBox,
  iouAfter,
  numberOfClicks,
  summarise,
  type EvalSummary,
  type EvaluateOptions,
  type ImageResult,
  type StopReason,
} from './evaluate.js';
