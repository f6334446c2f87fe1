/** Timeline of the session (ms since navigation start), for the e2e harness and debugging. */
export interface Timeline {
  script?: number;
  init?: number;
  /** Runtime bytes in hand (inline: page parsed and base64 decoded). */
  wasm?: number;
  runtime?: number;
  /** The model's files all in hand (download done); sessions open from here to modelReady. */
  modelFiles?: number;
  modelReady?: number;
  imageShown?: number;
  /** The first analysis started, and how long it took (ms). */
  encodeStart?: number;
  encoded?: number;
  encodeMs?: number;
  ready?: number;
  /** The first mask of a click (not a hover) drawn. */
  firstMask?: number;
}
