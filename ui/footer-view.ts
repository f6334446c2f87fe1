/**
 * The footer: the status line, its one link (Select after an insertion, Retry while the model
 * is unavailable) and, in the cutout view, the Apply button.
 */
import type { OutputKind } from '../plugin/protocol.js';
import { OUTPUT_NAMES } from './copy.js';
import { byId } from './widgets.js';

export interface StatusAction {
  label: 'Select' | 'Retry';
  run: () => void;
  /** The link's tooltip. */
  title?: string;
}

export class FooterView {
  readonly applyButton = byId<HTMLButtonElement>('apply');
  readonly secondaryButton = byId<HTMLButtonElement>('secondary');
  private readonly statusAction = byId<HTMLButtonElement>('status-action');
  private statusActionFn: (() => void) | undefined;

  constructor(onApply: () => void) {
    this.applyButton.addEventListener('click', onApply);
    this.statusAction.addEventListener('click', () => this.statusActionFn?.());
  }

  status(text: string): void {
    byId('status').textContent = text;
  }

  /** The cutout view's Apply button for `output`; `replacing`: the result being edited. */
  renderApply(output: OutputKind, enabled: boolean, replacing?: string): void {
    this.applyButton.disabled = !enabled;
    this.applyButton.textContent = `Apply ${OUTPUT_NAMES[output].toLowerCase()}`;
    this.applyButton.title = replacing
      ? `Replace “${replacing}” with this result, in the same place (⏎). The original image is not changed.`
      : 'Insert the result above the layer (⏎). The original is not changed.';
    if (replacing) this.applyButton.dataset.replacing = 'true';
    else delete this.applyButton.dataset.replacing;
    this.secondaryButton.hidden = true;
  }

  renderAction(action: StatusAction | undefined): void {
    this.statusActionFn = action?.run;
    this.statusAction.hidden = !action;
    this.statusAction.textContent = action?.label ?? '';
    this.statusAction.title = action?.title ?? '';
  }
}
