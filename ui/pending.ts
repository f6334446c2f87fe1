/**
 * Prompts made before the image's embedding exists are kept, not dropped: a click waits in the
 * prompt history (its decode queues behind the analysis), and of the hovers only the newest
 * waits here — the pointer's last position is the only preview still worth showing.
 */

export class PendingHover<T> {
  private held: { value: T; settle(run: boolean): void } | undefined;

  /** Whether a hover waits. */
  get waiting(): boolean {
    return this.held !== undefined;
  }

  /** The waiting hover's value. */
  get value(): T | undefined {
    return this.held?.value;
  }

  /**
   * Waits with `value` until `release` (resolves true: run it now) or until a newer hover or a
   * `drop` replaces it (resolves false).
   */
  hold(value: T): Promise<boolean> {
    this.drop();
    return new Promise<boolean>((resolve) => {
      this.held = { value, settle: resolve };
    });
  }

  /** The embedding exists: the waiting hover runs. Returns its value. */
  release(): T | undefined {
    const h = this.held;
    this.held = undefined;
    h?.settle(true);
    return h?.value;
  }

  /** The waiting hover is moot (pointer left, another image or model). */
  drop(): void {
    const h = this.held;
    this.held = undefined;
    h?.settle(false);
  }
}

/** What the footer and the canvas say about the user's newest prompt. */
export type PromptWait =
  /** Nothing to wait for: no prompt, or its answer is shown. */
  | 'none'
  /** The prompt waits for the image analysis (or the model) before it can be answered. */
  | 'pending'
  /** The embedding exists and the prompt is being decoded. */
  | 'decoding';

export function promptWait(s: { decodable: boolean; answered: boolean; encoded: boolean }): PromptWait {
  if (!s.decodable || s.answered) return 'none';
  return s.encoded ? 'decoding' : 'pending';
}

/**
 * Whether the hover preview at `hover` is already the answer to `prompt`: a first click lands
 * where the pointer rests, and the preview there was decoded from exactly that prompt (one
 * positive point, no box, no previous mask). The click then takes it instead of queueing a
 * second decode behind it.
 */
export function hoverAnswers(prompt: { points: ReadonlyArray<{ x: number; y: number; label: number }>; box?: unknown }, hover: { x: number; y: number } | undefined, hasPrevious: boolean): boolean {
  if (!hover || hasPrevious || prompt.box || prompt.points.length !== 1) return false;
  const p = prompt.points[0]!;
  return p.label === 1 && p.x === hover.x && p.y === hover.y;
}
