/**
 * The cutout's output options: the output kind, Feather (cutout) or Smoothing (vector mask and
 * outline), and "Hide the original". Each change is saved in the settings at once.
 */
import type { OutputKind } from '../plugin/protocol.js';
import type { SettingsStore } from './settings.js';
import { byId, Segmented } from './widgets.js';

export class OptionsView {
  private readonly output: Segmented<OutputKind>;
  private readonly feather = byId<HTMLInputElement>('feather');
  private readonly smoothing = byId<HTMLInputElement>('smoothing');
  private readonly hide = byId<HTMLInputElement>('hide-source');

  /** `onResultChange`: what an apply would make changed (output, feather, smoothing). */
  constructor(
    private readonly settings: SettingsStore,
    onResultChange: () => void,
  ) {
    this.output = new Segmented<OutputKind>(byId('output'), (v) => {
      this.settings.set({ output: v });
      onResultChange();
    });
    this.feather.addEventListener('input', () => {
      this.settings.set({ feather: Number(this.feather.value) });
      onResultChange();
    });
    this.smoothing.addEventListener('input', () => {
      this.settings.set({ smoothing: Number(this.smoothing.value) });
      onResultChange();
    });
    this.hide.addEventListener('change', () => this.settings.set({ hideSource: this.hide.checked }));
  }

  /** The controls set from the settings (after the host's `init`). */
  load(): void {
    const s = this.settings.get();
    this.output.value = s.output;
    this.feather.value = String(s.feather);
    this.smoothing.value = String(s.smoothing);
    this.hide.checked = s.hideSource;
  }

  render(): void {
    const s = this.settings.get();
    const vector = s.output !== 'cutout';
    byId('feather-field').hidden = vector;
    byId('smoothing-field').hidden = !vector;
    byId('feather-value').textContent = `${s.feather} px`;
    byId('smoothing-value').textContent = `${s.smoothing} px`;
  }
}
