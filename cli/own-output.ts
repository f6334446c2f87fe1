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

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const KEYWORD = 'Software';
const HASH_HEX = 32;

let crcTable: Uint32Array | undefined;
function crc32(parts: Uint8Array[]): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const p of parts) for (let i = 0; i < p.length; i++) c = crcTable[(c ^ p[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function digest(parts: ReadonlyArray<Uint8Array | string>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, HASH_HEX);
}

function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** Where IEND starts in a well-formed PNG whose last chunk is IEND, else -1. */
function iendAt(png: Uint8Array): number {
  const at = png.length - 12;
  if (at < 8) return -1;
  const name = String.fromCharCode(png[at + 4]!, png[at + 5]!, png[at + 6]!, png[at + 7]!);
  return name === 'IEND' && u32(png, at) === 0 ? at : -1;
}

function textChunk(text: string): Uint8Array {
  const data = new TextEncoder().encode(`${KEYWORD}\0${text}`);
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set([0x74, 0x45, 0x58, 0x74], 4); // tEXt
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32([out.subarray(4, 8 + data.length)]));
  return out;
}

/**
 * The PNG with our mark, as pieces to write one after the other (no copy of the image: the
 * encoder's buffer may be a reused scratch).
 */
export function markPng(png: Uint8Array): Uint8Array[] {
  const at = iendAt(png);
  if (!isPng(png) || at < 0) throw new Error('markPng: not a PNG ending in IEND');
  const head = png.subarray(0, at);
  const tail = png.subarray(at);
  return [head, textChunk(`cutout ${digest([head, tail])}`), tail];
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
  const at = iendAt(png);
  if (at < 0) return false;
  // Our chunk is the one right before IEND: walk the chunks to find where that one starts.
  let pos = 8;
  let last = -1;
  while (pos + 12 <= at) {
    const len = u32(png, pos);
    const next = pos + 12 + len;
    if (next > at) return false;
    last = pos;
    pos = next;
  }
  if (pos !== at || last < 0) return false;
  const len = u32(png, last);
  const type = String.fromCharCode(...png.subarray(last + 4, last + 8));
  if (type !== 'tEXt') return false;
  const text = new TextDecoder('latin1').decode(png.subarray(last + 8, last + 8 + len));
  const m = /^Software\0cutout ([0-9a-f]+)$/.exec(text);
  if (!m || m[1]!.length !== HASH_HEX) return false;
  return digest([png.subarray(0, last), png.subarray(at)]) === m[1];
}

function isOwnSvg(bytes: Uint8Array): boolean {
  const text = new TextDecoder().decode(bytes);
  const m = /<!-- cutout ([0-9a-f]+) -->\n$/.exec(text);
  if (!m || m[1]!.length !== HASH_HEX) return false;
  return digest([text.slice(0, m.index)]) === m[1];
}
