/**
 * Words and numbers the UI shows: sizes, durations, time left, and errors in plain language
 * (a headline per error code plus the engine's own sentence; never a stack trace).
 */

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`;
  return `${n} B`;
}

/** "0.4 s", "12 s", "2 min 05 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  return `${m} min ${String(rest).padStart(2, '0')} s`;
}

/** "about 40 s left", "less than 5 s left", or '' when unknown. */
export function formatTimeLeft(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 5000) return 'a few seconds left';
  if (ms < 60_000) return `about ${Math.round(ms / 5000) * 5} s left`;
  const min = Math.round(ms / 60_000);
  return `about ${min} min left`;
}

/** The message without stack lines, file positions or a trailing "Error:" prefix; ≤ 400 chars. */
export function cleanMessage(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^at\s/.test(l) && !/^\s*[\w.]+@/.test(l));
  let text = lines.join(' ').replace(/^(?:[A-Z]\w*Error|Error):\s*/, '');
  text = text.replace(/\s*\((?:https?|blob|data|file):[^)]*\)/g, '');
  if (text.length > 400) text = text.slice(0, 397) + '…';
  if (text && !/[.!?…]$/.test(text)) text += '.';
  // Sentence case, unless the message starts with a name (a file, an identifier) that must stay as is.
  const first = text.split(/\s/, 1)[0] ?? '';
  return /^[a-z]+[,:]?$/.test(first) ? text[0]!.toUpperCase() + text.slice(1) : text;
}

/** Platform-appropriate names for modifier keys. */
export function keyNames(isMac: boolean): { mod: string; alt: string; shift: string } {
  return isMac ? { mod: '⌘', alt: '⌥', shift: '⇧' } : { mod: 'Ctrl+', alt: 'Alt+', shift: 'Shift+' };
}
