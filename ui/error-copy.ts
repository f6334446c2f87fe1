/**
 * Errors in a designer's words. The engine's and the hosts' messages are written for whoever
 * has to fix the cause (file names, URLs, HTTP statuses, registry hints, the editor API call
 * that threw); the banner's first line must instead say what happened and what to do, in terms
 * of what the designer did. So the first line comes from the error's code and what the UI was
 * doing (`ErrorContext`), never from the message; the message, cleaned of stack lines, is kept
 * whole as the copyable "Details".
 */
import type { ErrorInfo } from '../core/errors.js';
import { cleanMessage, formatBytes } from './format.js';

/** What the UI was doing when the error came. */
export type ErrorTask =
  /** Downloading or starting a model. */
  | 'model'
  /** Starting the inference runtime. */
  | 'runtime'
  /** Reading the layer's pixels from the editor. */
  | 'read'
  /** Analyzing the image (the encoder). */
  | 'analyze'
  /** Finding the object after a click (the decoder). */
  | 'find'
  /** Building the result and adding it to the file. */
  | 'apply'
  /** One image of a "Remove background" batch. */
  | 'remove-bg'
  /** Anything the editor's side reported on its own. */
  | 'host';

export interface ErrorContext {
  task: ErrorTask;
  /** The model concerned (task 'model'), for "the cut-out model (14 MB)". */
  model?: { kind: 'sam' | 'salient'; bytes?: number };
  /** "Figma" / "Penpot". */
  editor?: string;
}

export interface ErrorCopy {
  /** One or two short sentences: what happened, then what to do. No file names, URLs or codes. */
  headline: string;
  /** The technical detail for "Details" (may be empty): the message as raised, without stack lines. */
  details: string;
}

function modelWords(ctx: ErrorContext): string {
  const what = ctx.model?.kind === 'salient' ? 'the background model' : 'the cut-out model';
  return ctx.model?.bytes ? `${what} (${formatBytes(ctx.model.bytes)})` : what;
}

/** The HTTP status a download message names, if any. */
function httpStatus(message: string): number | undefined {
  const m = /\bHTTP (\d{3})\b/.exec(message);
  return m ? Number(m[1]) : undefined;
}

function downloadHeadline(info: ErrorInfo, ctx: ErrorContext): string {
  const what = modelWords(ctx);
  const status = httpStatus(info.message);
  if (status === 404 || status === 410) return `Couldn't download ${what}: it is no longer where Cutout looks for it. Update Cutout or choose another model.`;
  if (status === 401 || status === 403) return `Couldn't download ${what}: the server refused it. Update Cutout or choose another model.`;
  if (status !== undefined && (status === 429 || status >= 500)) return `Couldn't download ${what}: the server is busy. Try again in a few minutes.`;
  return `Couldn't download ${what}. Check your connection and try again.`;
}

function editorName(ctx: ErrorContext): string {
  return ctx.editor ?? 'The editor';
}

function headlineFor(info: ErrorInfo, ctx: ErrorContext): string {
  const msg = info.message;
  switch (info.code) {
    case 'DOWNLOAD':
      if (ctx.task === 'runtime') return "Couldn't download Cutout's engine. Check your connection, then close and reopen the plugin.";
      return downloadHeadline(info, ctx);
    case 'INTEGRITY':
      if (ctx.task === 'runtime') return "Cutout's engine arrived damaged and was thrown away. Close and reopen the plugin to try again.";
      return `${capital(modelWords(ctx))} arrived damaged and was thrown away. Try again.`;
    case 'MODEL_FORMAT':
    case 'UNKNOWN_MODEL':
      return `${capital(modelWords(ctx))} can't be used by this version of Cutout. Choose another model.`;
    case 'MODEL_LOAD':
      return ctx.task === 'runtime'
        ? "Cutout couldn't start on this computer. Close and reopen the plugin."
        : `Couldn't start ${modelWords(ctx)}. Try again, or choose another model.`;
    case 'INVALID_IMAGE':
      return "Couldn't read this layer's image. Try again, or export the layer as PNG and use that.";
    case 'IMAGE_SIZE':
      return 'This image is too large or empty to cut out. Try a smaller layer.';
    case 'INVALID_PROMPT':
      return "That click couldn't be used. Click inside the image.";
    case 'INVALID_MASK':
      if (/too small/.test(msg)) return 'The selection is too small to trace. Click a larger area, or choose Cutout.';
      if (/empty|no foreground/i.test(msg)) return 'The selection is empty. Click the object, or drag a box around it, and try again.';
      return "Couldn't use this selection; nothing was changed. Click the object again.";
    case 'INVALID_OPTION':
      return ctx.task === 'apply' ? "Couldn't add the result; nothing was changed. Try another output." : 'A setting is out of range. Reset it and try again.';
    case 'CANCELLED':
      return 'Stopped.';
    case 'INFERENCE':
      if (ctx.task === 'analyze') return "Couldn't analyze this image. Try again, or close and reopen the plugin.";
      if (ctx.task === 'find') return "Couldn't find an object there. Click again.";
      if (ctx.task === 'apply') return "Couldn't make the result; nothing was changed. Try again.";
      return 'The model stopped working. Close and reopen the plugin.';
    case 'STATE':
      if (/did not answer/.test(msg)) return `${editorName(ctx)} didn't answer. Try again.`;
      if (/no longer exists|deleted|no longer on a page|not on a page/.test(msg)) {
        return ctx.task === 'apply'
          ? 'The layer was deleted or moved off the page; nothing was added. Select an image layer again.'
          : 'That layer no longer exists. Select an image layer again.';
      }
      if (/parts do not match/.test(msg)) return "The plugin's parts don't match. Reinstall Cutout.";
      break;
  }
  switch (ctx.task) {
    case 'apply':
      return "Couldn't add the result to the file; nothing was changed. Try again.";
    case 'read':
      return "Couldn't read this layer. Try again, or select another layer.";
    case 'analyze':
      return "Couldn't analyze this image. Try again.";
    case 'find':
      return "Couldn't find an object there. Click again.";
    case 'model':
      return `Couldn't start ${modelWords(ctx)}. Try again, or choose another model.`;
    case 'runtime':
      return "Cutout couldn't start on this computer. Close and reopen the plugin.";
    case 'remove-bg':
      return "Couldn't remove its background. Try again with this image alone.";
    default:
      return 'Something went wrong. Try again; if it keeps happening, close and reopen the plugin.';
  }
}

function capital(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** The banner's words for an error met while doing `ctx.task`. */
export function errorCopy(info: ErrorInfo, ctx: ErrorContext): ErrorCopy {
  const headline = headlineFor(info, ctx);
  const cleaned = cleanMessage(info.message);
  const details = cleaned && cleaned !== headline ? `${cleaned}${info.code !== 'INTERNAL' ? ` (${info.code})` : ''}` : '';
  return { headline, details };
}

/**
 * What may never reach a headline: URLs, file names with an extension, HTTP statuses, error
 * codes, editor API prefixes ("in createImage:"), maintainer hints. Tests hold headlines to it.
 */
export const TECHNICAL_WORDS = /https?:|\b[\w-]+\.(?:onnx|json|wasm|js|ts|png|bin)\b|\bHTTP\b|\b[A-Z]{3,}_[A-Z_]+\b|\bin \w+:|registry|stale|\bstack\b/;
