/**
 * Errors raised by the engine. Each carries a stable `code` (a string, so it survives
 * postMessage and JSON) and a message that says what was wrong and what to do about it.
 */
export const ErrorCode = {
  /** The image bytes could not be read (unknown format, corrupt, truncated). */
  InvalidImage: 'INVALID_IMAGE',
  /** The image decoded but cannot be processed (0×0, absurd size, ...). */
  ImageSize: 'IMAGE_SIZE',
  /** A prompt is malformed: NaN, outside the image, empty box, unknown label. */
  InvalidPrompt: 'INVALID_PROMPT',
  /** The model files do not match any supported format, or the format expected. */
  ModelFormat: 'MODEL_FORMAT',
  /** A model file is missing, unreadable or rejected by the runtime. */
  ModelLoad: 'MODEL_LOAD',
  /** A download failed (HTTP status, network, truncated body). */
  Download: 'DOWNLOAD',
  /** Downloaded bytes do not match the published size or sha256. */
  Integrity: 'INTEGRITY',
  /** The model registry has no entry with that id. */
  UnknownModel: 'UNKNOWN_MODEL',
  /** An operation was called out of order (decode before encode, ...). */
  State: 'STATE',
  /** The runtime failed while running a model. */
  Inference: 'INFERENCE',
  /** A mask given to a vector/cutout operation is malformed. */
  InvalidMask: 'INVALID_MASK',
  /** A caller-supplied option is out of range. */
  InvalidOption: 'INVALID_OPTION',
  /** An output file could not be written (full disk, permission, ...); nothing was left half written. */
  Output: 'OUTPUT',
  /** The operation was cancelled by the user. */
  Cancelled: 'CANCELLED',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export class CutoutError extends Error {
  readonly code: ErrorCodeValue;
  constructor(code: ErrorCodeValue, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CutoutError';
    this.code = code;
  }
}

/** Raises a CutoutError: the one place errors are made, so messages stay uniform. */
export function fail(code: ErrorCodeValue, message: string, cause?: unknown): never {
  throw new CutoutError(code, message, cause === undefined ? undefined : { cause });
}

/** Plain-data form of an error, for postMessage and JSON output. */
export interface ErrorInfo {
  code: ErrorCodeValue | 'INTERNAL';
  message: string;
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof CutoutError) return { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'INTERNAL', message: err.message };
  return { code: 'INTERNAL', message: String(err) };
}

export function isCutoutError(err: unknown, code?: ErrorCodeValue): err is CutoutError {
  return err instanceof CutoutError && (code === undefined || err.code === code);
}
