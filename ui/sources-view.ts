/**
 * The source line above the stage: the layer's name and size, a picker when several images
 * are selected, the layers skipped and why; the empty state's list of problems.
 */
import type { SourceInfo } from '../plugin/protocol.js';
import { skippedLine } from './copy.js';
import { byId, fillSelect } from './widgets.js';

export class SourcesView {
  private readonly select = byId<HTMLSelectElement>('source-select');

  /** `onPick`: the designer chose another of the selected images. */
  constructor(onPick: (id: string) => void) {
    this.select.addEventListener('change', () => onPick(this.select.value));
  }

  render(sources: readonly SourceInfo[], source: SourceInfo | undefined, problems: readonly string[]): void {
    const picker = byId('source-picker');
    const name = byId('source-name');
    const size = byId('source-size');
    const multi = sources.length > 1;
    picker.hidden = !multi;
    name.hidden = multi;
    if (multi) {
      fillSelect(
        this.select,
        sources.map((s) => ({ value: s.id, label: s.name })),
        source?.id,
      );
    }
    name.textContent = source?.name ?? '';
    size.textContent = source ? `${source.width} × ${source.height}` : '';
    const skipped = byId('source-skipped');
    const line = sources.length ? skippedLine(problems) : '';
    skipped.hidden = !line;
    skipped.textContent = line;
    const list = byId('empty-problems');
    list.textContent = '';
    for (const p of problems.slice(0, 4)) {
      const li = document.createElement('li');
      li.textContent = p;
      list.appendChild(li);
    }
  }
}
