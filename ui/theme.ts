/**
 * Theme: Figma (themeColors: true) sets `figma-light` / `figma-dark` on <html> and injects
 * `--figma-color-*` variables; styles.css reads those with fallbacks. Outside Figma the
 * page follows `prefers-color-scheme`, or `?theme=light|dark` for previews and screenshots.
 */

export type Theme = 'light' | 'dark';

export function currentTheme(root: HTMLElement = document.documentElement): Theme {
  if (root.classList.contains('figma-dark') || root.classList.contains('theme-dark')) return 'dark';
  if (root.classList.contains('figma-light') || root.classList.contains('theme-light')) return 'light';
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Applies `?theme=` when Figma did not set a theme, and calls `onChange` on every change. */
export function watchTheme(onChange: (t: Theme) => void, search = typeof location !== 'undefined' ? location.search : ''): () => void {
  const root = document.documentElement;
  const forced = new URLSearchParams(search).get('theme');
  if ((forced === 'dark' || forced === 'light') && !root.classList.contains('figma-dark') && !root.classList.contains('figma-light')) {
    root.classList.add(`theme-${forced}`);
  }
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
