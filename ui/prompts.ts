/**
 * Prompt editing with undo/redo. A `PromptState` is what the user has placed (points and at
 * most one box, in source image pixels); each edit pushes a new state, Esc pushes the empty
 * one (so it is undoable too). History entries carry the prediction once it arrives, so
 * undo/redo redraw at once instead of decoding again. Pure data, no DOM.
 */
import type { BoxPrompt, LowResMask, PointPrompt, Prompt } from '../core/prompts/types.js';

export interface PromptState {
  readonly points: readonly PointPrompt[];
  readonly box?: BoxPrompt;
}

export const EMPTY_PROMPT: PromptState = Object.freeze({ points: Object.freeze([]) as readonly PointPrompt[] });

export function isEmptyPrompt(s: PromptState): boolean {
  return s.points.length === 0 && !s.box;
}

/** Whether the state can be decoded: a box, or at least one foreground point. */
export function isDecodable(s: PromptState): boolean {
  return !!s.box || s.points.some((p) => p.label === 1);
}

export function withPoint(s: PromptState, p: PointPrompt): PromptState {
  return { points: [...s.points, { x: p.x, y: p.y, label: p.label }], ...(s.box ? { box: s.box } : {}) };
}

export function withBox(s: PromptState, box: BoxPrompt): PromptState {
  return { points: s.points, box: { ...box } };
}

/** Prompt for the engine; `previous` only where the model takes a mask input. */
export function toPrompt(s: PromptState, previous?: LowResMask): Prompt {
  return {
    points: s.points.map((p) => ({ ...p })),
    ...(s.box ? { box: { ...s.box } } : {}),
    ...(previous ? { previous } : {}),
  };
}

export function samePrompt(a: PromptState, b: PromptState): boolean {
  if (a.points.length !== b.points.length) return false;
  for (let i = 0; i < a.points.length; i++) {
    const p = a.points[i]!;
    const q = b.points[i]!;
    if (p.x !== q.x || p.y !== q.y || p.label !== q.label) return false;
  }
  const x = a.box;
  const y = b.box;
  if (!x || !y) return !x && !y;
  return x.x0 === y.x0 && x.y0 === y.y0 && x.x1 === y.x1 && x.y1 === y.y1;
}

/** One step of the history: the prompt and, once decoded, what the model said. */
export interface HistoryEntry<P> {
  readonly prompt: PromptState;
  prediction?: P;
  /** The candidate the user picked (undefined: the model's choice). */
  candidate?: number;
}

/** Linear undo/redo over entries; a new edit after undo drops the redo branch. */
export class PromptHistory<P> {
  private past: HistoryEntry<P>[] = [];
  private future: HistoryEntry<P>[] = [];
  private present: HistoryEntry<P> = { prompt: EMPTY_PROMPT };

  constructor(private readonly limit = 200) {}

  get current(): HistoryEntry<P> {
    return this.present;
  }
  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }
  get depth(): number {
    return this.past.length;
  }

  /** Records an edit and returns its (new, undecoded) entry. */
  push(prompt: PromptState): HistoryEntry<P> {
    this.past.push(this.present);
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
    this.present = { prompt };
    return this.present;
  }

  undo(): HistoryEntry<P> | undefined {
    const prev = this.past.pop();
    if (!prev) return undefined;
    this.future.push(this.present);
    this.present = prev;
    return prev;
  }

  redo(): HistoryEntry<P> | undefined {
    const next = this.future.pop();
    if (!next) return undefined;
    this.past.push(this.present);
    this.present = next;
    return next;
  }

  /** Starts over (new image or model): no undo into another image's prompts. */
  reset(): void {
    this.past = [];
    this.future = [];
    this.present = { prompt: EMPTY_PROMPT };
  }

  /** Forgets every stored prediction (the model changed); prompts stay. */
  forgetPredictions(): void {
    for (const e of [...this.past, this.present, ...this.future]) {
      e.prediction = undefined;
      e.candidate = undefined;
    }
  }
}
