/**
 * Theme: Figma (themeColors: true) sets `figma-light` / `figma-dark` on <html> and injects
 * `--figma-color-*` variables; styles.css reads those with fallbacks. Penpot themes nothing
 * inside the iframe: the theme comes from `?theme=` (the adapter's URL, which Penpot also
 * fills in), then `init.theme` and `theme` messages, all applied as `theme-light` /
 * `theme-dark`; `host-penpot` switches the fallbacks to Penpot's palette. Elsewhere the page
 * follows `prefers-color-scheme`, or `?theme=light|dark` for previews and screenshots.
 */
import type { HostName } from '../plugin/protocol.js';

export type Theme = 'light' | 'dark';

export function isTheme(v: unknown): v is Theme {
  return v === 'light' || v === 'dark';
}

export function currentTheme(root: HTMLElement = document.documentElement): Theme {
  const c = root.classList;
  if (c.contains('figma-dark')) return 'dark';
  if (c.contains('figma-light')) return 'light';
  if (c.contains('theme-dark')) return 'dark';
  if (c.contains('theme-light')) return 'light';
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Sets the page theme the host asked for (Figma's own classes, when present, still win). */
export function setTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  root.classList.toggle('theme-dark', theme === 'dark');
  root.classList.toggle('theme-light', theme === 'light');
}

/**
 * Marks the page with its host (`host-penpot`): styles.css picks that editor's palette. A host
 * that themes nothing itself gets a theme class at once (the system's scheme until the host
 * says), so styles.css needs one rule per palette.
 */
export function setHostClass(host: HostName, root: HTMLElement = document.documentElement): void {
  for (const c of [...root.classList]) if (c.startsWith('host-') && c !== `host-${host}`) root.classList.remove(c);
  root.classList.add(`host-${host}`);
  if (host !== 'figma' && !root.classList.contains('theme-dark') && !root.classList.contains('theme-light')) setTheme(currentTheme(root), root);
}

/** Applies `?theme=`, and calls `onChange` on every change (classes or the system scheme). */
export function watchTheme(onChange: (t: Theme) => void, search = typeof location !== 'undefined' ? location.search : ''): () => void {
  const root = document.documentElement;
  const forced = new URLSearchParams(search).get('theme');
  if (isTheme(forced) && !root.classList.contains('figma-dark') && !root.classList.contains('figma-light')) setTheme(forced, root);
  let last = currentTheme(root);
  const check = () => {
    const t = currentTheme(root);
    if (t !== last) {
      last = t;
      onChange(t);
    }
  };
  const obs = new MutationObserver(check);
  obs.observe(root, { attributes: true, attributeFilter: ['class', 'style'] });
  const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
  mq?.addEventListener('change', check);
  return () => {
    obs.disconnect();
    mq?.removeEventListener('change', check);
  };
}
