export * from './types.js';
export * from './frames.js';
export * from './validate.js';
