export * from './upsample.js';
export * from './measure.js';
export * from './cleanup.js';
export * from './alpha.js';
