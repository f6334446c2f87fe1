/**
 * The banner's first line is written for a designer: what happened and what to do, with no
 * URL, file name, HTTP status, code or maintainer hint — those stay in "Details". The messages
 * below are the real ones: raised by core's downloader against real HTTP answers, and as the
 * host controller wraps an editor API's exception.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, toErrorInfo, type ErrorInfo } from '../../core/errors.js';
import { downloadFile } from '../../core/models/download.js';
import { errorCopy, TECHNICAL_WORDS, type ErrorContext, type ErrorTask } from '../../ui/error-copy.js';

const URL_ = 'https://huggingface.co/Xenova/slimsam-77-uniform/resolve/main/onnx/vision_encoder_quantized.onnx';

async function downloadError(answer: () => Promise<Response>): Promise<ErrorInfo> {
  try {
    await downloadFile({ name: 'vision_encoder_quantized.onnx', url: URL_, bytes: 1000 }, { fetchImpl: (() => answer()) as typeof fetch });
  } catch (err) {
    return toErrorInfo(err);
  }
  throw new Error('the download did not fail');
}

const MODEL: ErrorContext = { task: 'model', model: { kind: 'sam', bytes: 13_800_000 } };

describe('errorCopy', () => {
  it('a failed download: "Couldn\'t download the cut-out model (13.8 MB)…" with the URL and status only in the details', async () => {
    const offline = await downloadError(() => Promise.reject(new TypeError('Failed to fetch')));
    const c = errorCopy(offline, MODEL);
    expect(c.headline).toBe("Couldn't download the cut-out model (13.8 MB). Check your connection and try again.");
    expect(c.details).toContain('huggingface.co');

    const missing = errorCopy(await downloadError(async () => new Response('', { status: 404 })), MODEL);
    expect(missing.headline).toMatch(/^Couldn't download the cut-out model \(13\.8 MB\): .*choose another model\.$/);
    expect(missing.details).toMatch(/HTTP 404/);
    expect(missing.details).toMatch(/registry/); // the maintainer's hint is kept, but only here

    const busy = errorCopy(await downloadError(async () => new Response('', { status: 503 })), { task: 'model', model: { kind: 'salient' } });
    expect(busy.headline).toBe("Couldn't download the background model: the server is busy. Try again in a few minutes.");
    for (const h of [c.headline, missing.headline, busy.headline]) expect(h).not.toMatch(TECHNICAL_WORDS);
  });

  it('an editor API failure while adding the result says nothing was changed, without "in createImage:"', () => {
    // As plugin/host/controller.ts wraps what the Figma API threw.
    const info: ErrorInfo = { code: 'INTERNAL', message: 'Could not insert the result; nothing was changed: in createImage: Image type is unsupported' };
    const c = errorCopy(info, { task: 'apply', editor: 'Figma' });
    expect(c.headline).toBe("Couldn't add the result to the file; nothing was changed. Try again.");
    expect(c.details).toContain('in createImage: Image type is unsupported');
  });

  it('a host that did not answer is named', () => {
    const c = errorCopy({ code: ErrorCode.State, message: 'Penpot did not answer (apply) within 120 s.' }, { task: 'apply', editor: 'Penpot' });
    expect(c.headline).toBe("Penpot didn't answer. Try again.");
  });

  it('no headline, for any code and task, repeats a technical message', () => {
    const nasty = `in createImage: vision_encoder.onnx at ${URL_} failed (HTTP 500); the model registry may be stale\n    at foo (main.ts:3:4)`;
    const tasks: ErrorTask[] = ['model', 'runtime', 'read', 'analyze', 'find', 'apply', 'remove-bg', 'host'];
    for (const code of [...Object.values(ErrorCode), 'INTERNAL' as const]) {
      for (const task of tasks) {
        const c = errorCopy({ code, message: nasty }, { task, model: { kind: 'sam' } });
        expect(c.headline, `${code} / ${task}`).not.toMatch(TECHNICAL_WORDS);
        expect(c.headline, `${code} / ${task}`).toMatch(/^[A-Z].*[.]$/);
        expect(c.details, `${code} / ${task}`).not.toMatch(/main\.ts:3:4/); // no stack lines even in the details
      }
    }
  });
});
