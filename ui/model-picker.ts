/**
 * The model choice, behind the header's settings button: Fast / Best for most people, the full
 * list (every model with its download size and licence) under "All models", and where the model
 * runs. The header itself shows none of it: a designer opens the plugin to cut something out.
 */
import { choiceDetail, QUALITY_MODELS, qualityOf, shortName, type ModelChoice, type ModelKind, type Quality } from './models.js';
import { byId, Segmented } from './widgets.js';

export class ModelPicker {
  private readonly panel = byId('settings-panel');
  private readonly toggle = byId<HTMLButtonElement>('settings-toggle');
  private readonly list = byId('model-list');
  private readonly detail = byId('quality-detail');
  private readonly runtime = byId('runtime-note');
  private readonly quality: Segmented<Quality>;
  private choices: ModelChoice[] = [];
  private kind: ModelKind = 'sam';
  private chosenId: string | undefined;
  private storeNote = '';
  private persistent = true;

  constructor(private readonly onChoose: (choice: ModelChoice) => void) {
    this.quality = new Segmented<Quality>(byId('quality'), (q) => this.choose(QUALITY_MODELS[this.kind][q]));
    this.toggle.addEventListener('click', () => (this.open = this.panel.hidden));
    byId('settings-done').addEventListener('click', () => {
      this.open = false;
      this.toggle.focus();
    });
    this.panel.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      this.open = false;
      this.toggle.focus();
    });
  }

  get open(): boolean {
    return !this.panel.hidden;
  }

  set open(v: boolean) {
    this.panel.hidden = !v;
    this.toggle.setAttribute('aria-expanded', String(v));
    byId('app').dataset.settings = v ? 'open' : 'closed';
  }

  get chosen(): ModelChoice | undefined {
    return this.choices.find((c) => c.id === this.chosenId);
  }

  /** The models of `kind` and the one in use. */
  set(kind: ModelKind, choices: ModelChoice[], chosenId: string | undefined): void {
    this.kind = kind;
    this.choices = choices;
    this.chosenId = chosenId;
    byId('settings-title').textContent = kind === 'sam' ? 'Model' : 'Background model';
    this.render();
  }

  /** Whether downloaded models stay between sessions, and the store's explanation. */
  setStore(persistent: boolean, note: string): void {
    this.persistent = persistent;
    this.storeNote = note;
    this.render();
  }

  /** Where inference runs: a short sentence and its full detail. */
  setRuntime(text: string, detail: string): void {
    this.runtime.textContent = text;
    this.runtime.title = detail;
  }

  private choose(id: string): void {
    const c = this.choices.find((x) => x.id === id);
    if (!c) return;
    this.chosenId = id;
    this.render();
    this.onChoose(c);
  }

  private render(): void {
    const chosen = this.chosen;
    const q = qualityOf(this.kind, chosen?.id);
    for (const b of byId('quality').querySelectorAll<HTMLButtonElement>('button[data-value]')) {
      const id = QUALITY_MODELS[this.kind][b.dataset.value as Quality];
      const c = this.choices.find((x) => x.id === id);
      b.hidden = !c;
      b.title = c ? `${shortName(c)} · ${choiceDetail(c)}` : '';
    }
    if (q) this.quality.value = q;
    else for (const b of byId('quality').querySelectorAll('button')) b.setAttribute('aria-checked', 'false');
    this.detail.textContent = chosen ? `${shortName(chosen)} · ${this.detailOf(chosen)}` : '';
    this.detail.title = this.storeNote;
    this.list.textContent = '';
    for (const c of this.choices) {
      const row = document.createElement('label');
      row.className = 'model-option';
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'model';
      input.value = c.id;
      input.checked = c.id === this.chosenId;
      input.addEventListener('change', () => this.choose(c.id));
      const text = document.createElement('span');
      const name = document.createElement('span');
      name.className = 'model-name';
      name.textContent = shortName(c);
      const meta = document.createElement('span');
      meta.className = 'model-meta';
      meta.textContent = this.detailOf(c);
      text.append(name, meta);
      row.append(input, text);
      this.list.appendChild(row);
    }
  }

  private detailOf(c: ModelChoice): string {
    const parts = [choiceDetail(c)];
    if (!this.persistent && c.origin === 'registry') parts.push('downloads each session');
    return parts.join(' · ');
  }
}
