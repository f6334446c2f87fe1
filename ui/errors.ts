import { CutoutError, type ErrorInfo } from '../core/errors.js';

/** An ErrorInfo that crossed postMessage back into an Error (code kept, INTERNAL as plain Error). */
export function errorFromInfo(info: ErrorInfo): Error {
  if (info.code === 'INTERNAL') return new Error(info.message);
  return new CutoutError(info.code, info.message);
}
