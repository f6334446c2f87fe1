/**
 * Baseline and progressive JPEG decoding to RGBA: jpeg-js 0.4.4's decoder (lib/decoder.js,
 * "Copyright 2011 notmasteryet", Apache License 2.0, itself derived from pdf.js; jpeg-js is
 * BSD-3-Clause, Copyright (c) 2014 Eugene Ware) ported with the same arithmetic — the same
 * Huffman decoding, the same integer IDCT (poppler's Loeffler-Ligtenberg-Moschytz), the same
 * upsampling and colour conversion — so the pixels are identical to `jpeg.decode(bytes,
 * { useTArray: true, formatAsRGBA: true })` (test/image/jpeg-decoder.test.ts compares them on
 * every sampling, progressive, restart-interval, grey and CMYK variant).
 *
 * What changed is the memory layout. jpeg-js allocates one Int32Array per 8×8 block (≈ 90 000
 * for a 1600×1200 photo, each a separate allocation), one Uint8Array per output line, an
 * interleaved copy of the whole image before the RGBA one, and a copy of the input bytes: per
 * image several times the image's size in short-lived blocks, which a long batch pays for in
 * allocator fragmentation. Here each component's coefficients are one array, its samples one
 * plane, the colour conversion writes RGBA directly and the input is read in place; with a
 * ScratchBuffers all of them are reused from one image to the next.
 *
 * Limits and errors are jpeg-js's: the same memory accounting (maxMemoryUsageInMB), the same
 * resolution check and the same messages for corrupt data.
 */
import type { ScratchBuffers } from './scratch.js';

const dctZigZag = new Int32Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50,
  43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

const dctCos1 = 4017; // cos(pi/16)
const dctSin1 = 799; // sin(pi/16)
const dctCos3 = 3406; // cos(3*pi/16)
const dctSin3 = 2276; // sin(3*pi/16)
const dctCos6 = 1567; // cos(6*pi/16)
const dctSin6 = 3784; // sin(6*pi/16)
const dctSqrt2 = 5793; // sqrt(2)
const dctSqrt1d2 = 2896; // sqrt(2) / 2

/** A Huffman tree level: children are symbols (numbers) or deeper levels. */
type HuffmanNode = Array<number | HuffmanNode>;

interface Component {
  h: number;
  v: number;
  quantizationIdx: number;
  quantizationTable: Int32Array;
  blocksPerLine: number;
  blocksPerColumn: number;
  blocksPerLineForMcu: number;
  blocksPerColumnForMcu: number;
  /** Coefficients of every block, 64 per block, blocksPerColumnForMcu rows of blocksPerLineForMcu. */
  coefficients: Int32Array;
  huffmanTableDC: HuffmanNode;
  huffmanTableAC: HuffmanNode;
  pred: number;
  /**
   * Corrupt scans can code a coefficient past the 64th (spectral end > 63, or a run past it).
   * jpeg-js then stores it under the block array's property "undefined" (dctZigZag[k] is
   * undefined), and later successive-approximation scans read it back and consume bits for it.
   * Kept here per block (by its offset) so that corrupt files decode identically.
   */
  phantom?: Map<number, number>;
}

interface Frame {
  extended: boolean;
  progressive: boolean;
  precision: number;
  scanLines: number;
  samplesPerLine: number;
  components: Record<number, Component>;
  componentsOrder: number[];
  maxH: number;
  maxV: number;
  mcusPerLine: number;
  mcusPerColumn: number;
}

interface DecodedComponent {
  /** Rows of `stride` samples (blocksPerColumn · 8 of them). */
  plane: Uint8Array;
  stride: number;
  scaleX: number;
  scaleY: number;
}

export interface JpegDecodeOptions {
  /** Refuse frames above this many megapixels (jpeg-js's maxResolutionInMP; default 100). */
  maxResolutionInMP?: number;
  /** Refuse images whose decoding would need more (jpeg-js's accounting; default 512). */
  maxMemoryUsageInMB?: number;
  /**
   * Reuse these buffers (batches): coefficients in slots 'jpeg.coefficients.<i>', samples in
   * 'jpeg.plane.<i>', the pixels returned in 'decode.rgba' (valid until the next decode with it).
   */
  scratch?: ScratchBuffers;
}

/** Memory accounting, as jpeg-js does it (per decode). */
class Budget {
  private total = 0;
  constructor(private readonly max: number) {}
  request(increaseAmount = 0): void {
    const totalMemoryImpactBytes = this.total + increaseAmount;
    if (totalMemoryImpactBytes > this.max) {
      const exceededAmount = Math.ceil((totalMemoryImpactBytes - this.max) / 1024 / 1024);
      throw new Error(`maxMemoryUsageInMB limit exceeded by at least ${exceededAmount}MB`);
    }
    this.total = totalMemoryImpactBytes;
  }
}

function buildHuffmanTable(codeLengths: Uint8Array, values: Uint8Array): HuffmanNode {
  let k = 0;
  let length = 16;
  const code: Array<{ children: HuffmanNode; index: number }> = [];
  while (length > 0 && !codeLengths[length - 1]) length--;
  code.push({ children: [], index: 0 });
  let p = code[0]!;
  let q: { children: HuffmanNode; index: number };
  for (let i = 0; i < length; i++) {
    for (let j = 0; j < codeLengths[i]!; j++) {
      p = code.pop()!;
      p.children[p.index] = values[k]!;
      while (p.index > 0) {
        if (code.length === 0) throw new Error('Could not recreate Huffman Table');
        p = code.pop()!;
      }
      p.index++;
      code.push(p);
      while (code.length <= i) {
        code.push((q = { children: [], index: 0 }));
        p.children[p.index] = q.children;
        p = q;
      }
      k++;
    }
    if (i + 1 < length) {
      // p here points to last code
      code.push((q = { children: [], index: 0 }));
      p.children[p.index] = q.children;
      p = q;
    }
  }
  return code[0]!.children;
}

type BlockDecoder = (component: Component, zz: Int32Array, o: number) => void;

function setPhantom(component: Component, o: number, value: number): void {
  (component.phantom ??= new Map()).set(o, value);
}

/** Stores coefficient z of the block at o, or its phantom one past the 64th (see above). */
function store(component: Component, zz: Int32Array, o: number, z: number, inBlock: boolean, value: number): void {
  if (inBlock) zz[z] = value;
  else setPhantom(component, o, value);
}

function decodeScan(
  data: Uint8Array,
  offset: number,
  frame: Frame,
  components: Component[],
  resetInterval: number | undefined,
  spectralStart: number,
  spectralEnd: number,
  successivePrev: number,
  successive: number,
): number {
  const mcusPerLine = frame.mcusPerLine;
  const progressive = frame.progressive;

  const startOffset = offset;
  let bitsData = 0;
  let bitsCount = 0;
  // Past the end of the data, data[offset] is undefined and reads as 0 bits (as in jpeg-js).
  function readBit(): number {
    if (bitsCount > 0) {
      bitsCount--;
      return (bitsData >> bitsCount) & 1;
    }
    bitsData = data[offset++]!;
    if (bitsData == 0xff) {
      const nextByte = data[offset++];
      if (nextByte) {
        throw new Error('unexpected marker: ' + ((bitsData << 8) | nextByte).toString(16));
      }
      // unstuff 0
    }
    bitsCount = 7;
    return bitsData >>> 7;
  }
  function decodeHuffman(tree: HuffmanNode): number {
    let node: number | HuffmanNode | undefined = tree;
    for (;;) {
      const bit = readBit();
      node = (node as HuffmanNode)[bit];
      if (typeof node === 'number') return node;
      if (typeof node !== 'object') throw new Error('invalid huffman sequence');
    }
  }
  function receive(length: number): number {
    let n = 0;
    while (length > 0) {
      const bit = readBit();
      n = (n << 1) | bit;
      length--;
    }
    return n;
  }
  function receiveAndExtend(length: number): number {
    const n = receive(length);
    if (n >= 1 << (length - 1)) return n;
    return n + (-1 << length) + 1;
  }
  function decodeBaseline(component: Component, zz: Int32Array, o: number): void {
    const t = decodeHuffman(component.huffmanTableDC);
    const diff = t === 0 ? 0 : receiveAndExtend(t);
    zz[o] = component.pred += diff;
    let k = 1;
    while (k < 64) {
      const rs = decodeHuffman(component.huffmanTableAC);
      const s = rs & 15;
      const r = rs >> 4;
      if (s === 0) {
        if (r < 15) break;
        k += 16;
        continue;
      }
      k += r;
      // k can pass 63 in corrupt data (see Component.phantom).
      if (k < 64) zz[o + dctZigZag[k]!] = receiveAndExtend(s);
      else setPhantom(component, o, receiveAndExtend(s));
      k++;
    }
  }
  function decodeDCFirst(component: Component, zz: Int32Array, o: number): void {
    const t = decodeHuffman(component.huffmanTableDC);
    const diff = t === 0 ? 0 : receiveAndExtend(t) << successive;
    zz[o] = component.pred += diff;
  }
  function decodeDCSuccessive(_component: Component, zz: Int32Array, o: number): void {
    zz[o] |= readBit() << successive;
  }
  let eobrun = 0;
  function decodeACFirst(component: Component, zz: Int32Array, o: number): void {
    if (eobrun > 0) {
      eobrun--;
      return;
    }
    let k = spectralStart;
    const e = spectralEnd;
    while (k <= e) {
      const rs = decodeHuffman(component.huffmanTableAC);
      const s = rs & 15;
      const r = rs >> 4;
      if (s === 0) {
        if (r < 15) {
          eobrun = receive(r) + (1 << r) - 1;
          break;
        }
        k += 16;
        continue;
      }
      k += r;
      if (k < 64) zz[o + dctZigZag[k]!] = receiveAndExtend(s) * (1 << successive);
      else setPhantom(component, o, receiveAndExtend(s) * (1 << successive));
      k++;
    }
  }
  let successiveACState = 0;
  let successiveACNextValue = 0;
  function decodeACSuccessive(component: Component, zz: Int32Array, o: number): void {
    let k = spectralStart;
    const e = spectralEnd;
    let r = 0;
    while (k <= e) {
      // Past the 64th coefficient (corrupt data) the value is the block's phantom one.
      const inBlock = k < 64;
      const z = o + dctZigZag[k]!;
      const value = inBlock ? zz[z]! : component.phantom?.get(o);
      const direction = value !== undefined && value < 0 ? -1 : 1;
      switch (successiveACState) {
        case 0: {
          // initial state
          const rs = decodeHuffman(component.huffmanTableAC);
          const s = rs & 15;
          r = rs >> 4;
          if (s === 0) {
            if (r < 15) {
              eobrun = receive(r) + (1 << r);
              successiveACState = 4;
            } else {
              r = 16;
              successiveACState = 1;
            }
          } else {
            if (s !== 1) throw new Error('invalid ACn encoding');
            successiveACNextValue = receiveAndExtend(s);
            successiveACState = r ? 2 : 3;
          }
          continue;
        }
        case 1: // skipping r zero items
        case 2:
          if (value) store(component, zz, o, z, inBlock, value + (readBit() << successive) * direction);
          else {
            r--;
            if (r === 0) successiveACState = successiveACState == 2 ? 3 : 0;
          }
          break;
        case 3: // set value for a zero item
          if (value) store(component, zz, o, z, inBlock, value + (readBit() << successive) * direction);
          else {
            store(component, zz, o, z, inBlock, successiveACNextValue << successive);
            successiveACState = 0;
          }
          break;
        case 4: // eob
          if (value) store(component, zz, o, z, inBlock, value + (readBit() << successive) * direction);
          break;
      }
      k++;
    }
    if (successiveACState === 4) {
      eobrun--;
      if (eobrun === 0) successiveACState = 0;
    }
  }
  // Missing blocks (a scan longer than the frame) are skipped: jpeg-js's tolerant decoding,
  // the default, which decodeJpeg has always used.
  function decodeMcu(component: Component, decode: BlockDecoder, mcu: number, row: number, col: number): void {
    const mcuRow = (mcu / mcusPerLine) | 0;
    const mcuCol = mcu % mcusPerLine;
    const blockRow = mcuRow * component.v + row;
    const blockCol = mcuCol * component.h + col;
    if (blockRow >= component.blocksPerColumnForMcu) return;
    decode(component, component.coefficients, (blockRow * component.blocksPerLineForMcu + blockCol) * 64);
  }
  function decodeBlock(component: Component, decode: BlockDecoder, mcu: number): void {
    const blockRow = (mcu / component.blocksPerLine) | 0;
    const blockCol = mcu % component.blocksPerLine;
    if (blockRow >= component.blocksPerColumnForMcu) return;
    decode(component, component.coefficients, (blockRow * component.blocksPerLineForMcu + blockCol) * 64);
  }

  const componentsLength = components.length;
  let decodeFn: BlockDecoder;
  if (progressive) {
    if (spectralStart === 0) decodeFn = successivePrev === 0 ? decodeDCFirst : decodeDCSuccessive;
    else decodeFn = successivePrev === 0 ? decodeACFirst : decodeACSuccessive;
  } else {
    decodeFn = decodeBaseline;
  }

  let mcu = 0;
  let mcuExpected: number;
  if (componentsLength == 1) {
    mcuExpected = components[0]!.blocksPerLine * components[0]!.blocksPerColumn;
  } else {
    mcuExpected = mcusPerLine * frame.mcusPerColumn;
  }
  if (!resetInterval) resetInterval = mcuExpected;

  while (mcu < mcuExpected) {
    // reset interval stuff
    for (let i = 0; i < componentsLength; i++) components[i]!.pred = 0;
    eobrun = 0;

    if (componentsLength == 1) {
      const component = components[0]!;
      for (let n = 0; n < resetInterval; n++) {
        decodeBlock(component, decodeFn, mcu);
        mcu++;
      }
    } else {
      for (let n = 0; n < resetInterval; n++) {
        for (let i = 0; i < componentsLength; i++) {
          const component = components[i]!;
          const h = component.h;
          const v = component.v;
          for (let j = 0; j < v; j++) {
            for (let k = 0; k < h; k++) {
              decodeMcu(component, decodeFn, mcu, j, k);
            }
          }
        }
        mcu++;

        // If we've reached our expected MCU's, stop decoding
        if (mcu === mcuExpected) break;
      }
    }

    if (mcu === mcuExpected) {
      // Skip trailing bytes at the end of the scan - until we reach the next marker
      do {
        if (data[offset] === 0xff) {
          if (data[offset + 1] !== 0x00) {
            break;
          }
        }
        offset += 1;
      } while (offset < data.length - 2);
    }

    // find marker
    bitsCount = 0;
    const marker = (data[offset]! << 8) | data[offset + 1]!;
    if (marker < 0xff00) {
      throw new Error('marker was not found');
    }

    if (marker >= 0xffd0 && marker <= 0xffd7) {
      // RSTx
      offset += 2;
    } else break;
  }

  return offset - startOffset;
}

/** Dequantisation and inverse DCT of every block into the component's sample plane. */
function buildComponentData(component: Component, budget: Budget, scratch: ScratchBuffers | undefined, slot: string): DecodedComponent {
  const blocksPerLine = component.blocksPerLine;
  const blocksPerColumn = component.blocksPerColumn;
  const samplesPerLine = blocksPerLine << 3;
  const p = new Int32Array(64);
  const qt = component.quantizationTable;
  const zz = component.coefficients;

  // A port of poppler's IDCT method which in turn is taken from:
  //   Christoph Loeffler, Adriaan Ligtenberg, George S. Moschytz,
  //   "Practical Fast 1-D DCT Algorithms with 11 Multiplications",
  //   IEEE Intl. Conf. on Acoustics, Speech & Signal Processing, 1989,
  //   988-991.
  function quantizeAndInverse(zo: number, dataOut: Uint8Array, out: number): void {
    let v0, v1, v2, v3, v4, v5, v6, v7, t;
    let i;

    // dequant
    for (i = 0; i < 64; i++) p[i] = zz[zo + i]! * qt[i]!;

    // inverse DCT on rows
    for (i = 0; i < 8; ++i) {
      const row = 8 * i;

      // check for all-zero AC coefficients
      if (p[1 + row] == 0 && p[2 + row] == 0 && p[3 + row] == 0 && p[4 + row] == 0 && p[5 + row] == 0 && p[6 + row] == 0 && p[7 + row] == 0) {
        t = (dctSqrt2 * p[0 + row]! + 512) >> 10;
        p[0 + row] = t;
        p[1 + row] = t;
        p[2 + row] = t;
        p[3 + row] = t;
        p[4 + row] = t;
        p[5 + row] = t;
        p[6 + row] = t;
        p[7 + row] = t;
        continue;
      }

      // stage 4
      v0 = (dctSqrt2 * p[0 + row]! + 128) >> 8;
      v1 = (dctSqrt2 * p[4 + row]! + 128) >> 8;
      v2 = p[2 + row]!;
      v3 = p[6 + row]!;
      v4 = (dctSqrt1d2 * (p[1 + row]! - p[7 + row]!) + 128) >> 8;
      v7 = (dctSqrt1d2 * (p[1 + row]! + p[7 + row]!) + 128) >> 8;
      v5 = p[3 + row]! << 4;
      v6 = p[5 + row]! << 4;

      // stage 3
      t = (v0 - v1 + 1) >> 1;
      v0 = (v0 + v1 + 1) >> 1;
      v1 = t;
      t = (v2 * dctSin6 + v3 * dctCos6 + 128) >> 8;
      v2 = (v2 * dctCos6 - v3 * dctSin6 + 128) >> 8;
      v3 = t;
      t = (v4 - v6 + 1) >> 1;
      v4 = (v4 + v6 + 1) >> 1;
      v6 = t;
      t = (v7 + v5 + 1) >> 1;
      v5 = (v7 - v5 + 1) >> 1;
      v7 = t;

      // stage 2
      t = (v0 - v3 + 1) >> 1;
      v0 = (v0 + v3 + 1) >> 1;
      v3 = t;
      t = (v1 - v2 + 1) >> 1;
      v1 = (v1 + v2 + 1) >> 1;
      v2 = t;
      t = (v4 * dctSin3 + v7 * dctCos3 + 2048) >> 12;
      v4 = (v4 * dctCos3 - v7 * dctSin3 + 2048) >> 12;
      v7 = t;
      t = (v5 * dctSin1 + v6 * dctCos1 + 2048) >> 12;
      v5 = (v5 * dctCos1 - v6 * dctSin1 + 2048) >> 12;
      v6 = t;

      // stage 1
      p[0 + row] = v0 + v7;
      p[7 + row] = v0 - v7;
      p[1 + row] = v1 + v6;
      p[6 + row] = v1 - v6;
      p[2 + row] = v2 + v5;
      p[5 + row] = v2 - v5;
      p[3 + row] = v3 + v4;
      p[4 + row] = v3 - v4;
    }

    // inverse DCT on columns
    for (i = 0; i < 8; ++i) {
      const col = i;

      // check for all-zero AC coefficients
      if (p[1 * 8 + col] == 0 && p[2 * 8 + col] == 0 && p[3 * 8 + col] == 0 && p[4 * 8 + col] == 0 && p[5 * 8 + col] == 0 && p[6 * 8 + col] == 0 && p[7 * 8 + col] == 0) {
        t = (dctSqrt2 * p[i + 0]! + 8192) >> 14;
        p[0 * 8 + col] = t;
        p[1 * 8 + col] = t;
        p[2 * 8 + col] = t;
        p[3 * 8 + col] = t;
        p[4 * 8 + col] = t;
        p[5 * 8 + col] = t;
        p[6 * 8 + col] = t;
        p[7 * 8 + col] = t;
        continue;
      }

      // stage 4
      v0 = (dctSqrt2 * p[0 * 8 + col]! + 2048) >> 12;
      v1 = (dctSqrt2 * p[4 * 8 + col]! + 2048) >> 12;
      v2 = p[2 * 8 + col]!;
      v3 = p[6 * 8 + col]!;
      v4 = (dctSqrt1d2 * (p[1 * 8 + col]! - p[7 * 8 + col]!) + 2048) >> 12;
      v7 = (dctSqrt1d2 * (p[1 * 8 + col]! + p[7 * 8 + col]!) + 2048) >> 12;
      v5 = p[3 * 8 + col]!;
      v6 = p[5 * 8 + col]!;

      // stage 3
      t = (v0 - v1 + 1) >> 1;
      v0 = (v0 + v1 + 1) >> 1;
      v1 = t;
      t = (v2 * dctSin6 + v3 * dctCos6 + 2048) >> 12;
      v2 = (v2 * dctCos6 - v3 * dctSin6 + 2048) >> 12;
      v3 = t;
      t = (v4 - v6 + 1) >> 1;
      v4 = (v4 + v6 + 1) >> 1;
      v6 = t;
      t = (v7 + v5 + 1) >> 1;
      v5 = (v7 - v5 + 1) >> 1;
      v7 = t;

      // stage 2
      t = (v0 - v3 + 1) >> 1;
      v0 = (v0 + v3 + 1) >> 1;
      v3 = t;
      t = (v1 - v2 + 1) >> 1;
      v1 = (v1 + v2 + 1) >> 1;
      v2 = t;
      t = (v4 * dctSin3 + v7 * dctCos3 + 2048) >> 12;
      v4 = (v4 * dctCos3 - v7 * dctSin3 + 2048) >> 12;
      v7 = t;
      t = (v5 * dctSin1 + v6 * dctCos1 + 2048) >> 12;
      v5 = (v5 * dctCos1 - v6 * dctSin1 + 2048) >> 12;
      v6 = t;

      // stage 1
      p[0 * 8 + col] = v0 + v7;
      p[7 * 8 + col] = v0 - v7;
      p[1 * 8 + col] = v1 + v6;
      p[6 * 8 + col] = v1 - v6;
      p[2 * 8 + col] = v2 + v5;
      p[5 * 8 + col] = v2 - v5;
      p[3 * 8 + col] = v3 + v4;
      p[4 * 8 + col] = v3 - v4;
    }

    // convert to 8-bit integers, into the block's place in the plane
    for (i = 0; i < 64; ++i) {
      const sample = 128 + ((p[i]! + 8) >> 4);
      dataOut[out + (i >> 3) * samplesPerLine + (i & 7)] = sample < 0 ? 0 : sample > 0xff ? 0xff : sample;
    }
  }

  budget.request(samplesPerLine * blocksPerColumn * 8);
  // Every sample is written: each block fills its 8×8 square.
  const plane = scratch ? scratch.u8(slot, samplesPerLine * blocksPerColumn * 8) : new Uint8Array(samplesPerLine * blocksPerColumn * 8);
  for (let blockRow = 0; blockRow < blocksPerColumn; blockRow++) {
    const scanLine = blockRow << 3;
    for (let blockCol = 0; blockCol < blocksPerLine; blockCol++) {
      quantizeAndInverse((blockRow * component.blocksPerLineForMcu + blockCol) * 64, plane, scanLine * samplesPerLine + (blockCol << 3));
    }
  }
  return { plane, stride: samplesPerLine, scaleX: 0, scaleY: 0 };
}

function clampTo8bit(a: number): number {
  return a < 0 ? 0 : a > 255 ? 255 : a;
}

/** jpeg-js's `0 | (x * component.scale * scale)` for every x, as offsets into a row. */
function sampleIndex(count: number, componentScale: number, scale: number): Int32Array {
  const out = new Int32Array(count);
  for (let x = 0; x < count; x++) out[x] = 0 | (x * componentScale * scale);
  return out;
}

/**
 * Decodes a JPEG to RGBA (alpha 255), exactly as jpeg-js's `decode(bytes, { useTArray: true,
 * formatAsRGBA: true, tolerantDecoding: true })` does. Throws plain Errors, as jpeg-js does.
 */
export function decodeJpegPixels(data: Uint8Array, options: JpegDecodeOptions = {}): { width: number; height: number; data: Uint8Array } {
  const maxResolutionInPixels = (options.maxResolutionInMP ?? 100) * 1000 * 1000;
  const budget = new Budget((options.maxMemoryUsageInMB ?? 512) * 1024 * 1024);
  const scratch = options.scratch;
  let coefficientSlots = 0;

  let offset = 0;
  function readUint16(): number {
    const value = (data[offset]! << 8) | data[offset + 1]!;
    offset += 2;
    return value;
  }
  function readDataBlock(): Uint8Array {
    const length = readUint16();
    const array = data.subarray(offset, offset + length - 2);
    offset += array.length;
    return array;
  }
  function prepareComponents(frame: Frame): void {
    // According to the JPEG standard, the sampling factor must be between 1 and 4
    // See https://github.com/libjpeg-turbo/libjpeg-turbo/blob/9abeff46d87bd201a952e276f3e4339556a403a3/libjpeg.txt#L1138-L1146
    let maxH = 1;
    let maxV = 1;
    for (const componentId in frame.components) {
      const component = frame.components[componentId]!;
      if (maxH < component.h) maxH = component.h;
      if (maxV < component.v) maxV = component.v;
    }
    const mcusPerLine = Math.ceil(frame.samplesPerLine / 8 / maxH);
    const mcusPerColumn = Math.ceil(frame.scanLines / 8 / maxV);
    for (const componentId in frame.components) {
      const component = frame.components[componentId]!;
      const blocksPerLine = Math.ceil((Math.ceil(frame.samplesPerLine / 8) * component.h) / maxH);
      const blocksPerColumn = Math.ceil((Math.ceil(frame.scanLines / 8) * component.v) / maxV);
      const blocksPerLineForMcu = mcusPerLine * component.h;
      const blocksPerColumnForMcu = mcusPerColumn * component.v;
      const blocksToAllocate = blocksPerColumnForMcu * blocksPerLineForMcu;

      // Each block is 64 Int32 coefficients (4 x 64 = 256 bytes)
      budget.request(blocksToAllocate * 256);

      // Zeroed: scans only write the coefficients they code.
      const n = blocksToAllocate * 64;
      component.coefficients = scratch ? scratch.i32(`jpeg.coefficients.${coefficientSlots++}`, n, true) : new Int32Array(n);
      component.blocksPerLine = blocksPerLine;
      component.blocksPerColumn = blocksPerColumn;
      component.blocksPerLineForMcu = blocksPerLineForMcu;
      component.blocksPerColumnForMcu = blocksPerColumnForMcu;
    }
    frame.maxH = maxH;
    frame.maxV = maxV;
    frame.mcusPerLine = mcusPerLine;
    frame.mcusPerColumn = mcusPerColumn;
  }

  let adobe: { version: number; flags0: number; flags1: number; transformCode: number } | null = null;
  let frame: Frame | undefined;
  let resetInterval: number | undefined;
  const quantizationTables: Int32Array[] = [];
  const frames: Frame[] = [];
  const huffmanTablesAC: HuffmanNode[] = [];
  const huffmanTablesDC: HuffmanNode[] = [];
  let fileMarker = readUint16();
  let malformedDataOffset = -1;
  if (fileMarker != 0xffd8) {
    // SOI (Start of Image)
    throw new Error('SOI not found');
  }

  fileMarker = readUint16();
  while (fileMarker != 0xffd9) {
    // EOI (End of image)
    switch (fileMarker) {
      case 0xff00:
        break;
      case 0xffe0: // APP0 (Application Specific)
      case 0xffe1: // APP1
      case 0xffe2: // APP2
      case 0xffe3: // APP3
      case 0xffe4: // APP4
      case 0xffe5: // APP5
      case 0xffe6: // APP6
      case 0xffe7: // APP7
      case 0xffe8: // APP8
      case 0xffe9: // APP9
      case 0xffea: // APP10
      case 0xffeb: // APP11
      case 0xffec: // APP12
      case 0xffed: // APP13
      case 0xffee: // APP14
      case 0xffef: // APP15
      case 0xfffe: {
        // COM (Comment). JFIF, EXIF and comments do not change the pixels (the orientation is
        // read separately, core/image/exif.ts); the Adobe segment's transform does.
        const appData = readDataBlock();
        if (fileMarker === 0xffee) {
          if (appData[0] === 0x41 && appData[1] === 0x64 && appData[2] === 0x6f && appData[3] === 0x62 && appData[4] === 0x65 && appData[5] === 0) {
            // 'Adobe\x00'
            adobe = {
              version: appData[6]!,
              flags0: (appData[7]! << 8) | appData[8]!,
              flags1: (appData[9]! << 8) | appData[10]!,
              transformCode: appData[11]!,
            };
          }
        }
        break;
      }

      case 0xffdb: {
        // DQT (Define Quantization Tables)
        const quantizationTablesLength = readUint16();
        const quantizationTablesEnd = quantizationTablesLength + offset - 2;
        while (offset < quantizationTablesEnd) {
          const quantizationTableSpec = data[offset++]!;
          budget.request(64 * 4);
          const tableData = new Int32Array(64);
          if (quantizationTableSpec >> 4 === 0) {
            // 8 bit values
            for (let j = 0; j < 64; j++) {
              const z = dctZigZag[j]!;
              tableData[z] = data[offset++]!;
            }
          } else if (quantizationTableSpec >> 4 === 1) {
            //16 bit
            for (let j = 0; j < 64; j++) {
              const z = dctZigZag[j]!;
              tableData[z] = readUint16();
            }
          } else throw new Error('DQT: invalid table spec');
          quantizationTables[quantizationTableSpec & 15] = tableData;
        }
        break;
      }

      case 0xffc0: // SOF0 (Start of Frame, Baseline DCT)
      case 0xffc1: // SOF1 (Start of Frame, Extended DCT)
      case 0xffc2: {
        // SOF2 (Start of Frame, Progressive DCT)
        readUint16(); // skip data length
        frame = {
          extended: fileMarker === 0xffc1,
          progressive: fileMarker === 0xffc2,
          precision: data[offset++]!,
          scanLines: readUint16(),
          samplesPerLine: readUint16(),
          components: {},
          componentsOrder: [],
          maxH: 0,
          maxV: 0,
          mcusPerLine: 0,
          mcusPerColumn: 0,
        };

        const pixelsInFrame = frame.scanLines * frame.samplesPerLine;
        if (pixelsInFrame > maxResolutionInPixels) {
          const exceededAmount = Math.ceil((pixelsInFrame - maxResolutionInPixels) / 1e6);
          throw new Error(`maxResolutionInMP limit exceeded by ${exceededAmount}MP`);
        }

        const componentsCount = data[offset++]!;
        for (let i = 0; i < componentsCount; i++) {
          const componentId = data[offset]!;
          const h = data[offset + 1]! >> 4;
          const v = data[offset + 1]! & 15;
          const qId = data[offset + 2]!;

          if (h <= 0 || v <= 0) {
            throw new Error('Invalid sampling factor, expected values above 0');
          }

          frame.componentsOrder.push(componentId);
          frame.components[componentId] = { h, v, quantizationIdx: qId } as Component;
          offset += 3;
        }
        prepareComponents(frame);
        frames.push(frame);
        break;
      }

      case 0xffc4: {
        // DHT (Define Huffman Tables)
        const huffmanLength = readUint16();
        for (let i = 2; i < huffmanLength; ) {
          const huffmanTableSpec = data[offset++]!;
          const codeLengths = new Uint8Array(16);
          let codeLengthSum = 0;
          for (let j = 0; j < 16; j++, offset++) {
            codeLengthSum += codeLengths[j] = data[offset]!;
          }
          budget.request(16 + codeLengthSum);
          const huffmanValues = new Uint8Array(codeLengthSum);
          for (let j = 0; j < codeLengthSum; j++, offset++) huffmanValues[j] = data[offset]!;
          i += 17 + codeLengthSum;

          (huffmanTableSpec >> 4 === 0 ? huffmanTablesDC : huffmanTablesAC)[huffmanTableSpec & 15] = buildHuffmanTable(codeLengths, huffmanValues);
        }
        break;
      }

      case 0xffdd: // DRI (Define Restart Interval)
        readUint16(); // skip data length
        resetInterval = readUint16();
        break;

      case 0xffdc: // Number of Lines marker
        readUint16(); // skip data length
        readUint16(); // Ignore this data since it represents the image height
        break;

      case 0xffda: {
        // SOS (Start of Scan)
        readUint16(); // scan length
        const selectorsCount = data[offset++]!;
        const components: Component[] = [];
        for (let i = 0; i < selectorsCount; i++) {
          const component = frame!.components[data[offset++]!]!;
          const tableSpec = data[offset++]!;
          component.huffmanTableDC = huffmanTablesDC[tableSpec >> 4]!;
          component.huffmanTableAC = huffmanTablesAC[tableSpec & 15]!;
          components.push(component);
        }
        const spectralStart = data[offset++]!;
        const spectralEnd = data[offset++]!;
        const successiveApproximation = data[offset++]!;
        const processed = decodeScan(data, offset, frame!, components, resetInterval, spectralStart, spectralEnd, successiveApproximation >> 4, successiveApproximation & 15);
        offset += processed;
        break;
      }

      case 0xffff: // Fill bytes
        if (data[offset] !== 0xff) {
          // Avoid skipping a valid marker.
          offset--;
        }
        break;
      default:
        if (data[offset - 3] == 0xff && data[offset - 2]! >= 0xc0 && data[offset - 2]! <= 0xfe) {
          // could be incorrect encoding -- last 0xFF byte of the previous
          // block was eaten by the encoder
          offset -= 3;
          break;
        } else if (fileMarker === 0xe0 || fileMarker == 0xe1) {
          // Recover from malformed APP1 markers popular in some phone models.
          // See https://github.com/eugeneware/jpeg-js/issues/82
          if (malformedDataOffset !== -1) {
            throw new Error(
              `first unknown JPEG marker at offset ${malformedDataOffset.toString(16)}, second unknown JPEG marker ${fileMarker.toString(16)} at offset ${(offset - 1).toString(16)}`,
            );
          }
          malformedDataOffset = offset - 1;
          const nextOffset = readUint16();
          if (data[offset + nextOffset - 2] === 0xff) {
            offset += nextOffset - 2;
            break;
          }
        }
        throw new Error('unknown JPEG marker ' + fileMarker.toString(16));
    }
    fileMarker = readUint16();
  }
  if (frames.length != 1) throw new Error('only single frame JPEGs supported');
  const f = frame!;

  // set each frame's components quantization table
  for (const j in f.components) {
    const c = f.components[j]!;
    c.quantizationTable = quantizationTables[c.quantizationIdx]!;
  }

  const width = f.samplesPerLine;
  const height = f.scanLines;
  const decoded: DecodedComponent[] = [];
  for (let i = 0; i < f.componentsOrder.length; i++) {
    const component = f.components[f.componentsOrder[i]!]!;
    const d = buildComponentData(component, budget, scratch, `jpeg.plane.${i}`);
    d.scaleX = component.h / f.maxH;
    d.scaleY = component.v / f.maxV;
    decoded.push(d);
  }

  // jpeg-js: the RGBA output, then an interleaved copy (getData), then RGBA from that copy.
  // Both steps are fused here; the accounting stays the same.
  const bytesNeeded = width * height * 4;
  budget.request(bytesNeeded);
  const out = scratch ? scratch.u8('decode.rgba', bytesNeeded) : new Uint8Array(bytesNeeded);
  budget.request(width * height * decoded.length);
  toRgba(decoded, width, height, adobe, out);
  return { width, height, data: out };
}

/** jpeg-js's getData + copyToImageData (formatAsRGBA), in one pass; every byte is written. */
function toRgba(components: DecodedComponent[], width: number, height: number, adobe: { transformCode: number } | null, out: Uint8Array): void {
  // getData's scale: the frame size over the requested size, which is the frame size.
  const scaleX = width / width;
  const scaleY = height / height;
  const rows = (c: DecodedComponent) => sampleIndex(height, c.scaleY, scaleY);
  const cols = (c: DecodedComponent) => sampleIndex(width, c.scaleX, scaleX);
  let j = 0;
  switch (components.length) {
    case 1: {
      const c1 = components[0]!;
      const r1 = rows(c1);
      const x1 = cols(c1);
      for (let y = 0; y < height; y++) {
        const l1 = r1[y]! * c1.stride;
        for (let x = 0; x < width; x++) {
          const Y = c1.plane[l1 + x1[x]!]!;
          out[j++] = Y;
          out[j++] = Y;
          out[j++] = Y;
          out[j++] = 255;
        }
      }
      return;
    }
    case 3: {
      // YCbCr → RGB: jpeg-js always transforms three components (its default, which the Adobe
      // marker only confirms; decodeJpeg never overrode it).
      const [c1, c2, c3] = components as [DecodedComponent, DecodedComponent, DecodedComponent];
      const [r1, r2, r3] = [rows(c1), rows(c2), rows(c3)];
      const [x1, x2, x3] = [cols(c1), cols(c2), cols(c3)];
      for (let y = 0; y < height; y++) {
        const l1 = r1[y]! * c1.stride;
        const l2 = r2[y]! * c2.stride;
        const l3 = r3[y]! * c3.stride;
        for (let x = 0; x < width; x++) {
          const Y = c1.plane[l1 + x1[x]!]!;
          const Cb = c2.plane[l2 + x2[x]!]!;
          const Cr = c3.plane[l3 + x3[x]!]!;
          // Uint8Array stores truncate, as jpeg-js's interleaved copy did.
          out[j++] = clampTo8bit(Y + 1.402 * (Cr - 128));
          out[j++] = clampTo8bit(Y - 0.3441363 * (Cb - 128) - 0.71413636 * (Cr - 128));
          out[j++] = clampTo8bit(Y + 1.772 * (Cb - 128));
          out[j++] = 255;
        }
      }
      return;
    }
    case 4: {
      if (!adobe) throw new Error('Unsupported color mode (4 components)');
      // The default transform for four components is false; the Adobe marker can set it.
      const colorTransform = !!adobe.transformCode;
      const [c1, c2, c3, c4] = components as [DecodedComponent, DecodedComponent, DecodedComponent, DecodedComponent];
      const [r1, r2, r3, r4] = [rows(c1), rows(c2), rows(c3), rows(c4)];
      const [x1, x2, x3, x4] = [cols(c1), cols(c2), cols(c3), cols(c4)];
      // jpeg-js's interleaved copy was a Uint8Array: its stores truncated (and wrapped).
      const cmyk = new Uint8Array(4);
      for (let y = 0; y < height; y++) {
        const l1 = r1[y]! * c1.stride;
        const l2 = r2[y]! * c2.stride;
        const l3 = r3[y]! * c3.stride;
        const l4 = r4[y]! * c4.stride;
        for (let x = 0; x < width; x++) {
          let C, M, Ye, K;
          if (!colorTransform) {
            C = c1.plane[l1 + x1[x]!]!;
            M = c2.plane[l2 + x2[x]!]!;
            Ye = c3.plane[l3 + x3[x]!]!;
            K = c4.plane[l4 + x4[x]!]!;
          } else {
            const Y = c1.plane[l1 + x1[x]!]!;
            const Cb = c2.plane[l2 + x2[x]!]!;
            const Cr = c3.plane[l3 + x3[x]!]!;
            K = c4.plane[l4 + x4[x]!]!;
            C = 255 - clampTo8bit(Y + 1.402 * (Cr - 128));
            M = 255 - clampTo8bit(Y - 0.3441363 * (Cb - 128) - 0.71413636 * (Cr - 128));
            Ye = 255 - clampTo8bit(Y + 1.772 * (Cb - 128));
          }
          cmyk[0] = 255 - C;
          cmyk[1] = 255 - M;
          cmyk[2] = 255 - Ye;
          cmyk[3] = 255 - K;
          const c = cmyk[0]!;
          const m = cmyk[1]!;
          const ye = cmyk[2]!;
          const k = cmyk[3]!;
          out[j++] = 255 - clampTo8bit(c * (1 - k / 255) + k);
          out[j++] = 255 - clampTo8bit(m * (1 - k / 255) + k);
          out[j++] = 255 - clampTo8bit(ye * (1 - k / 255) + k);
          out[j++] = 255;
        }
      }
      return;
    }
    default:
      // jpeg-js: two components pass getData, then copyToImageData refuses them.
      throw new Error('Unsupported color mode');
  }
}
