/**
 * Recognising our own earlier outputs, so that running a command again may replace what it
 * wrote last time while any other file with the same name (the user's photo.png beside
 * photo.jpg) is never replaced without --overwrite.
 *
 * Every PNG the CLI writes carries a tEXt chunk "Software" = "cutout <h>" just before IEND, and
 * every SVG ends with the comment "<!-- cutout <h> -->", where <h> is the start of the SHA-256
 * of the file without that mark. A file is ours only when the mark is there AND matches the
 * rest of the file byte for byte (a JSON object ends with the member "written_by": "cutout <h>",
 * <h> the hash of the object without it): a cutout edited in another program and saved under the same
 * name no longer matches (even if that program kept the text chunk), so it counts as the
 * user's.
 */
import { createHash } from 'node:crypto';
import { isPng, pngChunk, pngChunkSpans } from '../core/image/png.js';

const KEYWORD = 'Software';
const HASH_HEX = 32;

function digest(parts: ReadonlyArray<Uint8Array | string>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, HASH_HEX);
}

/** Where IEND starts in a PNG whose chunks tile the file and end with an empty IEND, else -1. */
function iendAt(png: Uint8Array): number {
  const last = pngChunkSpans(png)?.at(-1);
  return last && last.type === 'IEND' && last.data.length === 0 ? last.start : -1;
}

/**
 * The PNG with our mark, as pieces to write one after the other (no copy of the image: the
 * encoder's buffer may be a reused scratch).
 */
export function markPng(png: Uint8Array): Uint8Array[] {
  const at = iendAt(png);
  if (at < 0) throw new Error('markPng: not a PNG ending in IEND');
  const head = png.subarray(0, at);
  const tail = png.subarray(at);
  return [head, pngChunk('tEXt', new TextEncoder().encode(`${KEYWORD}\0cutout ${digest([head, tail])}`)), tail];
}

/** The SVG text with our mark appended. */
export function markSvg(svg: string): string {
  const body = svg.endsWith('\n') ? svg : svg + '\n';
  return `${body}<!-- cutout ${digest([body])} -->\n`;
}

/** A JSON object's text (JSON.stringify of an object) with our mark as its last member. */
export function markJson(json: string): string {
  const body = json.trimEnd();
  if (!body.startsWith('{') || !body.endsWith('}')) throw new Error('markJson: not a JSON object');
  const open = body === '{}' ? '{' : body.slice(0, -1) + ',';
  return `${open}"written_by":"cutout ${digest([body])}"}\n`;
}

const JSON_MARK = /,?"written_by":"cutout ([0-9a-f]+)"\}\n$/;

/** True when `bytes` is a PNG, SVG or JSON file this CLI wrote and nobody changed since. */
export function isOwnOutput(bytes: Uint8Array): boolean {
  if (isPng(bytes)) return isOwnPng(bytes);
  return isOwnSvg(bytes) || isOwnJson(bytes);
}

function isOwnJson(bytes: Uint8Array): boolean {
  const text = new TextDecoder().decode(bytes);
  const m = JSON_MARK.exec(text);
  if (!m || m[1]!.length !== HASH_HEX) return false;
  const head = text.slice(0, m.index);
  return digest([head === '{' ? '{}' : head + '}']) === m[1];
}

function isOwnPng(png: Uint8Array): boolean {
  // Our mark is the chunk right before IEND.
  const spans = pngChunkSpans(png);
  const iend = spans?.at(-1);
  const mark = spans?.at(-2);
  if (!iend || !mark || iend.type !== 'IEND' || iend.data.length !== 0 || mark.type !== 'tEXt') return false;
  const m = /^Software\0cutout ([0-9a-f]+)$/.exec(new TextDecoder('latin1').decode(mark.data));
  if (!m || m[1]!.length !== HASH_HEX) return false;
  return digest([png.subarray(0, mark.start), png.subarray(iend.start)]) === m[1];
}

function isOwnSvg(bytes: Uint8Array): boolean {
  const text = new TextDecoder().decode(bytes);
  const m = /<!-- cutout ([0-9a-f]+) -->\n$/.exec(text);
  if (!m || m[1]!.length !== HASH_HEX) return false;
  return digest([text.slice(0, m.index)]) === m[1];
}
