import { describe, expect, it } from 'vitest';
import { CutoutError, ErrorCode } from '../../core/errors.js';
import { findModelFiles } from '../../core/models/detect.js';
import { salientDescriptorProblems } from '../../core/models/salient-descriptor.js';
import { isSha256Hex } from '../../core/models/sha256.js';
import {
  HF_REDIRECT_HOSTS,
  MODELS,
  allowedHosts,
  getModel,
  hostAllowed,
  modelDownloadBytes,
  modelIds,
  salientDescriptor,
  type ModelEntry,
} from '../../models/registry.js';

const FORMATS = ['sam-hf', 'sam2-hf', 'sam1', 'sam2', 'salient'];
const SAM_FORMATS = ['sam-hf', 'sam2-hf', 'sam1', 'sam2'];

function thrown(fn: () => unknown): CutoutError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CutoutError);
    return err as CutoutError;
  }
  throw new Error('expected a throw');
}

describe('registry shape', () => {
  it('has unique ids made of safe characters', () => {
    const ids = modelIds();
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9][a-z0-9._-]*$/);
  });

  it('holds the models the product ships with', () => {
    const byId = new Map(MODELS.map((m) => [m.id, m]));
    const want: Record<string, string> = {
      'slimsam-77': 'sam-hf',
      'slimsam-77-q8': 'sam-hf',
      'sam-vit-b-q8': 'sam-hf',
      mobilesam: 'sam1',
      'sam2.1-tiny-hf': 'sam2-hf',
      'sam2.1-tiny': 'sam2',
      u2netp: 'salient',
      'isnet-general-use': 'salient',
      'birefnet-lite': 'salient',
    };
    for (const [id, format] of Object.entries(want)) expect(byId.get(id)?.format, id).toBe(format);
    expect(getModel('slimsam-77').files.map((f) => f.url.split('/').pop())).toEqual([
      'vision_encoder.onnx',
      'prompt_encoder_mask_decoder.onnx',
    ]);
    expect(getModel('slimsam-77-q8').files.map((f) => f.url.split('/').pop())).toEqual([
      'vision_encoder_quantized.onnx',
      'prompt_encoder_mask_decoder_quantized.onnx',
    ]);
  });

  it.each(MODELS.map((m) => [m.id, m] as const))('%s is well formed', (_id, m: ModelEntry) => {
    expect(FORMATS).toContain(m.format);
    expect(m.name.trim()).not.toBe('');
    expect(m.license).toMatch(/^[A-Za-z0-9.-]+( (AND|OR) [A-Za-z0-9.-]+)*$/); // SPDX identifier or expression
    expect(m.homepage).toMatch(/^https:\/\//);
    if (m.licenseUrl) expect(m.licenseUrl).toMatch(/^https:\/\//);
    expect(m.files.length).toBeGreaterThan(0);
    const names = m.files.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(m.files.map((f) => f.url)).size).toBe(m.files.length);
    for (const f of m.files) {
      expect(['encoder', 'decoder', 'model']).toContain(f.role);
      expect(f.name).toMatch(/^[A-Za-z0-9._-]+$/); // a plain file name, no directories
      expect(Number.isSafeInteger(f.bytes) && f.bytes > 0, `${f.name} bytes`).toBe(true);
      if (f.sha256 !== undefined) expect(isSha256Hex(f.sha256), `${f.name} sha256`).toBe(true);
      const url = new URL(f.url);
      expect(url.protocol).toBe('https:');
      expect(hostAllowed(url.host), `${url.host} allowed`).toBe(true);
      // Pinned: huggingface.co/<owner>/<repo>/resolve/<40-hex commit>/<path>
      expect(f.url).toMatch(/^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\/[0-9a-f]{40}\/[^?#]+$/);
    }
    if (SAM_FORMATS.includes(m.format)) {
      expect(m.files.some((f) => f.role === 'encoder')).toBe(true);
      expect(m.files.some((f) => f.role === 'decoder')).toBe(true);
      expect(m.descriptor).toBeUndefined();
    } else {
      expect(m.files.every((f) => f.role === 'model')).toBe(true);
    }
  });

  it('pins a sha256 for every file except those no two independent sources agree on', () => {
    const missing = MODELS.flatMap((m) => m.files.filter((f) => !f.sha256).map((f) => `${m.id}/${f.name}`));
    // Each listed in its entry's comment with the reason.
    expect(missing).toEqual(['sam-vit-b-q8/vision_encoder_quantized.onnx', 'sam-vit-b-q8/prompt_encoder_mask_decoder_quantized.onnx']);
  });

  it('pins no hash that the Hub shows for a different model', () => {
    // LFS ids read on the Hub for files of other repos (a copied pin would make every download fail).
    const elsewhere: Record<string, string> = {
      d9d7bca3b256ab71b3b7cdc35839983bc8ebaf68ea9022f15805ac43955cd247: 'Xenova/medsam-vit-base onnx/vision_encoder_quantized.onnx',
    };
    const clashes = MODELS.flatMap((m) => m.files.filter((f) => f.sha256 && elsewhere[f.sha256]).map((f) => `${m.id}/${f.name} = ${elsewhere[f.sha256!]}`));
    expect(clashes).toEqual([]);
  });

  it('names the licence of the export where it differs from the weights (MobileSAM: Acly\'s export is MIT)', () => {
    expect(MODELS.find((m) => m.id === 'mobilesam')!.license).toBe('Apache-2.0 AND MIT');
  });

  it('names files so the engine finds the encoder/decoder pair in a model folder', () => {
    for (const m of MODELS.filter((e) => SAM_FORMATS.includes(e.format))) {
      const names = m.files.map((f) => f.name);
      const variant = names.some((n) => /vision_encoder_quantized\.onnx$/.test(n)) ? 'quantized' : 'fp32';
      const pair = findModelFiles(names, variant);
      expect(pair.encoder, m.id).toBe(m.files.find((f) => f.role === 'encoder' && f.name.endsWith('.onnx'))!.name);
      expect(pair.decoder, m.id).toBe(m.files.find((f) => f.role === 'decoder' && f.name.endsWith('.onnx'))!.name);
      expect(pair.layout).toBe(m.format.endsWith('-hf') ? 'hf' : 'exporter');
    }
  });

  it('ships every external-data file beside the graph that needs it', () => {
    for (const m of MODELS) {
      const names = new Set(m.files.map((f) => f.name));
      for (const n of names) {
        if (n.endsWith('.onnx_data')) expect(names.has(n.replace(/_data$/, '')), `${m.id}: ${n}`).toBe(true);
      }
    }
  });

  it('gives identical bytes for identical hashes across entries', () => {
    const byHash = new Map<string, number>();
    for (const f of MODELS.flatMap((m) => m.files)) {
      if (!f.sha256) continue;
      const seen = byHash.get(f.sha256);
      if (seen !== undefined) expect(f.bytes, f.name).toBe(seen);
      byHash.set(f.sha256, f.bytes);
    }
  });
});

describe('salient descriptors', () => {
  const salient = MODELS.filter((m) => m.format === 'salient');

  it.each(salient.map((m) => [m.id, m] as const))('%s has a complete descriptor', (_id, m: ModelEntry) => {
    expect(salientDescriptorProblems(m.descriptor, m.files.map((f) => f.name))).toEqual([]);
    const d = salientDescriptor(m);
    expect(d.format).toBe('salient');
    expect(m.files.map((f) => f.name)).toContain(d.model);
  });

  it('carries the published preprocessing of each model', () => {
    expect(salientDescriptor(getModel('u2netp'))).toMatchObject({
      size: [320, 320],
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      normalize: 'minmax',
    });
    expect(salientDescriptor(getModel('isnet-general-use'))).toMatchObject({
      size: [1024, 1024],
      mean: [0.5, 0.5, 0.5],
      std: [1, 1, 1],
      scale: 255,
    });
    expect(salientDescriptor(getModel('birefnet-lite'))).toMatchObject({
      size: [1024, 1024],
      activation: 'sigmoid',
      mean: [0.485, 0.456, 0.406],
    });
  });

  it('reports what is wrong with a broken descriptor', () => {
    const problems = salientDescriptorProblems({ format: 'salient', model: 'x.onnx', size: [0, 5], std: [1, 0, 1] }, ['y.onnx']);
    expect(problems.join('\n')).toMatch(/not one of the entry's files/);
    expect(problems.join('\n')).toMatch(/input tensor name/);
    expect(problems.join('\n')).toMatch(/size/);
    expect(problems.join('\n')).toMatch(/std/);
    expect(salientDescriptorProblems(undefined)).toEqual(['descriptor is missing']);

    // A registry entry's descriptor is checked by the compiler, not at run time.
    const u2netp = getModel('u2netp');
    // @ts-expect-error a salient entry needs a complete descriptor
    const broken: ModelEntry = { ...u2netp, format: 'salient', descriptor: { format: 'salient' } };
    // @ts-expect-error a salient entry needs a descriptor at all
    const missing: ModelEntry = { id: 'm', name: 'm', format: 'salient', license: 'MIT', homepage: 'https://example.org', files: [] };
    // @ts-expect-error a SAM entry has none
    const sam: ModelEntry = { ...getModel('slimsam-77'), format: 'sam-hf', descriptor: salientDescriptor(u2netp) };
    expect([broken, missing, sam].length).toBe(3);
    expect(thrown(() => salientDescriptor(getModel('slimsam-77'))).code).toBe(ErrorCode.ModelFormat);
  });
});

describe('lookups', () => {
  it('getModel returns the entry or UNKNOWN_MODEL listing the known ids', () => {
    expect(getModel('mobilesam').format).toBe('sam1');
    const err = thrown(() => getModel('sam-vit-h'));
    expect(err.code).toBe(ErrorCode.UnknownModel);
    expect(err.message).toContain('sam-vit-h');
    for (const id of modelIds()) expect(err.message).toContain(id);
  });

  it('modelDownloadBytes sums the files', () => {
    expect(modelDownloadBytes(getModel('slimsam-77-q8'))).toBe(8_882_165 + 4_903_810);
    expect(modelDownloadBytes(getModel('sam2.1-tiny-hf'))).toBe(354_238 + 134_084_864 + 213_114 + 20_958_208);
    expect(modelDownloadBytes({ files: [] })).toBe(0);
  });
});

describe('allowedHosts', () => {
  it('covers every host a registry URL uses, plus the Hugging Face redirect CDNs', () => {
    const hosts = allowedHosts();
    for (const m of MODELS) for (const f of m.files) expect(hostAllowed(new URL(f.url).host, hosts)).toBe(true);
    for (const h of HF_REDIRECT_HOSTS) expect(hosts).toContain(h);
    expect(hosts).toContain('huggingface.co');
    expect(hosts).toEqual([...new Set(hosts)].sort());
  });

  it('matches redirect hosts seen in the wild and nothing outside them', () => {
    const hosts = allowedHosts();
    for (const h of ['cdn-lfs.huggingface.co', 'cdn-lfs-us-1.hf.co', 'cas-bridge.xethub.hf.co', 'eu.aws.cdn.hf.co']) {
      expect(hostAllowed(h, hosts), h).toBe(true);
    }
    for (const h of ['hf.co.evil.example', 'evilhf.co', 'github.com', 'objects.githubusercontent.com']) {
      expect(hostAllowed(h, hosts), h).toBe(false);
    }
  });

  it('lists only what a given set of entries needs', () => {
    const custom: ModelEntry = {
      id: 'x',
      name: 'x',
      format: 'sam1',
      license: 'MIT',
      homepage: 'https://example.org',
      files: [{ role: 'model', name: 'm.onnx', url: 'https://models.example.org/m.onnx', bytes: 1 }],
    };
    expect(allowedHosts([custom])).toEqual(['models.example.org']);
  });
});
