/**
 * The prompt side of the cutout view: clicks, boxes and hover turned into decodes, with undo,
 * redo and clear. Clicks and hovers made while the image is still analysed wait in the engine
 * and are answered once the embedding exists; a click where the pointer rests takes the hover
 * decode already in flight.
 */
import type { RgbaImage } from '../core/image/types.js';
import type { DecodeResult } from '../core/models/types.js';
import type { BoxPrompt } from '../core/prompts/types.js';
import { lowResOf } from '../core/segment.js';
import { withDefault } from './candidates.js';
import type { Engine } from './engine.js';
import type { Point } from './layout.js';
import { hoverAnswers } from './pending.js';
import { isDecodable, isEmptyPrompt, PromptHistory, toPrompt, withBox, withPoint, type HistoryEntry, type PromptState } from './prompts.js';
import { SUPERSEDED } from './schedule.js';
import type { Banner } from './widgets.js';

/** What the session needs from the controller. */
export interface PromptSessionHost {
  readonly engine: Engine;
  readonly banner: Banner;
  readonly image: RgbaImage | undefined;
  /** The image shows and nothing (an apply, a failed model) keeps prompts out. */
  readonly canTakeInput: boolean;
  status(text: string): void;
  /** A prompt was edited: the mask, not the result, is what to look at now. */
  edited(): void;
  render(): void;
  renderMask(): void;
  renderPending(): void;
}

export class PromptSession {
  readonly history = new PromptHistory<DecodeResult>();
  /** The mask under the pointer while no prompt is set. */
  hoverPrediction: DecodeResult | undefined;
  /** How long the current prompt's decode took (ms), for the footer. */
  decodeMs = 0;
  private hoverPoint: Point | undefined;
  /** The newest hover decode asked for (in flight or done), for a click at the same point to take. */
  private lastHover: { x: number; y: number; result: Promise<DecodeResult | undefined> } | undefined;

  constructor(private readonly host: PromptSessionHost) {}

  /** A new image (or none): nothing of the old one's prompts applies. */
  reset(): void {
    this.lastHover = undefined;
    this.history.reset();
    this.hoverPrediction = undefined;
  }

  /** Another model: every mask must be decoded again. */
  forgetPredictions(): void {
    this.history.forgetPredictions();
    this.hoverPrediction = undefined;
    this.lastHover = undefined;
  }

  addPoint(p: Point, label: 0 | 1): void {
    const cur = this.history.current.prompt;
    if (label === 0 && !isDecodable(cur)) {
      this.host.status('Click on the object first; Alt-click then removes areas from it.');
      return;
    }
    this.edit(withPoint(cur, { x: p.x, y: p.y, label }));
  }

  addBox(box: BoxPrompt): void {
    this.edit(withBox(this.history.current.prompt, box));
  }

  /**
   * A remembered prompt ("Edit cutout") put back over the image with the mask chosen then; the
   * banner that may explain it stays.
   */
  restore(prompt: PromptState, candidate: number): void {
    if (!this.host.image) return;
    const entry = this.history.push(prompt);
    entry.candidate = candidate;
    this.hoverPrediction = undefined;
    this.host.render();
    void this.decodeEntry(entry);
  }

  /** Records a prompt edit and decodes it. */
  edit(prompt: PromptState): void {
    if (!this.host.image) return;
    this.host.banner.hide();
    const prior = this.history.current;
    const entry = this.history.push(prompt);
    this.host.edited();
    this.hoverPrediction = undefined;
    this.host.render();
    void this.decodeEntry(entry, prior);
  }

  private async decodeEntry(entry: HistoryEntry<DecodeResult>, prior?: HistoryEntry<DecodeResult>): Promise<void> {
    if (!isDecodable(entry.prompt)) {
      this.host.render();
      return;
    }
    const engine = this.host.engine;
    const supportsMask = engine.model?.info.supports.maskInput ?? false;
    const previous =
      supportsMask && prior?.prediction && !isEmptyPrompt(prior.prompt) && prior.prompt.box === entry.prompt.box
        ? lowResOf(prior.prediction, prior.candidate ?? prior.prediction.selected)
        : undefined;
    const started = performance.now();
    const hover = this.lastHover;
    try {
      const reused = hover && hoverAnswers(entry.prompt, hover, !!previous) ? await hover.result : undefined;
      const prediction = withDefault(reused ?? (await engine.decode(toPrompt(entry.prompt, previous))));
      entry.prediction = prediction;
      // A remembered choice among more masks than this model gives: the model's pick instead.
      if (entry.candidate !== undefined && entry.candidate >= prediction.lowRes.length) entry.candidate = undefined;
      if (entry === this.history.current) {
        this.decodeMs = performance.now() - started;
        this.host.render();
      }
    } catch (err) {
      if (entry === this.history.current) this.host.banner.error(err, undefined, { task: 'find' });
      this.host.render();
    }
  }

  /** After a model change: decode the current prompt again with the new model. */
  redecodeCurrent(): void {
    const e = this.history.current;
    if (!e.prediction && isDecodable(e.prompt)) void this.decodeEntry(e);
  }

  hover(p: Point | undefined): void {
    this.hoverPoint = p;
    const engine = this.host.engine;
    const showHover = isEmptyPrompt(this.history.current.prompt);
    if (!p || !showHover || !this.host.canTakeInput) {
      engine.cancelHover();
      if (this.hoverPrediction) {
        this.hoverPrediction = undefined;
        this.host.renderMask();
      }
      return;
    }
    const held = !engine.isEncoded;
    const request = engine.hover({ points: [{ x: p.x, y: p.y, label: 1 }] });
    this.lastHover = {
      x: p.x,
      y: p.y,
      result: request.then(
        (r) => (r === SUPERSEDED ? undefined : r),
        () => undefined,
      ),
    };
    void request.then(
      (r) => {
        if (held) this.host.renderPending();
        if (r === SUPERSEDED || this.hoverPoint !== p || !isEmptyPrompt(this.history.current.prompt)) return;
        this.hoverPrediction = withDefault(r);
        this.host.renderMask();
      },
      () => undefined, // a failed preview is not worth a banner; the click will say
    );
    if (held) this.host.renderPending();
  }

  selectCandidate(k: number): void {
    const e = this.history.current;
    if (!e.prediction || k < 0 || k >= e.prediction.lowRes.length) return;
    e.candidate = k;
    this.host.render();
  }

  undo(): void {
    if (this.history.undo()) this.afterHistoryMove();
  }

  redo(): void {
    if (this.history.redo()) this.afterHistoryMove();
  }

  private afterHistoryMove(): void {
    this.hoverPrediction = undefined;
    const e = this.history.current;
    if (!e.prediction && isDecodable(e.prompt)) void this.decodeEntry(e);
    this.host.render();
  }

  clear(): void {
    if (isEmptyPrompt(this.history.current.prompt)) return;
    this.history.push({ points: [] });
    this.hoverPrediction = undefined;
    this.host.render();
  }
}
