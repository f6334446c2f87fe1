/**
 * zlib compression for the PNG encoder: fflate 0.8.3's one-shot deflate (`zlibSync`: dflt,
 * wblk, hTree and friends; MIT License, Copyright (c) Arjun Barrett) ported with the same
 * match finder, block splitting and Huffman trees, so the bytes are identical to
 * `zlibSync(data, { level })` (test/image/deflate.test.ts compares them).
 *
 * What changed is where the memory comes from. fflate allocates, per call, an output buffer
 * of the input's size, a 2 MB hash table, the previous-match chain and the symbol buffer, then
 * copies the result out; a batch encoding two multi-megabyte PNGs per image pays for that in
 * allocator churn. Here those buffers come from a ScratchBuffers when one is given (cleared,
 * then reused), and the stream is written at an offset the caller chooses, so the PNG chunks
 * can be assembled around it without another copy.
 */
import { HUGE, type ScratchBuffers } from './scratch.js';

// fixed length extra bits
const fleb = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0, /* unused */ 0, 0, /* impossible */ 0]);
// fixed distance extra bits
const fdeb = new Uint8Array([0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, /* unused */ 0, 0]);
// code length index map
const clim = new Uint8Array([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

// get base, reverse index map from extra bits
function freb(eb: Uint8Array, start: number): { b: Uint16Array; r: Int32Array } {
  const b = new Uint16Array(31);
  for (let i = 0; i < 31; ++i) {
    b[i] = start += 1 << eb[i - 1]!;
  }
  // numbers here are at max 18 bits
  const r = new Int32Array(b[30]!);
  for (let i = 1; i < 30; ++i) {
    for (let j = b[i]!; j < b[i + 1]!; ++j) {
      r[j] = ((j - b[i]!) << 5) | i;
    }
  }
  return { b, r };
}
const revfl = freb(fleb, 2).r;
// we can ignore the fact that the other numbers are wrong; they never happen anyway
revfl[258] = 28;
const revfd = freb(fdeb, 0).r;

// map of value to reverse (assuming 16 bits)
const rev = new Uint16Array(32768);
for (let i = 0; i < 32768; ++i) {
  // reverse table algorithm from SO
  let x = ((i & 0xaaaa) >> 1) | ((i & 0x5555) << 1);
  x = ((x & 0xcccc) >> 2) | ((x & 0x3333) << 2);
  x = ((x & 0xf0f0) >> 4) | ((x & 0x0f0f) << 4);
  rev[i] = (((x & 0xff00) >> 8) | ((x & 0x00ff) << 8)) >> 1;
}

// create huffman codes from a u8 "map": index -> code length for code index (encoder side:
// fflate's hMap with r = 0); mb (max bits) must be at most 15
function hMap(cd: Uint8Array, mb: number): Uint16Array {
  const s = cd.length;
  let i = 0;
  // u16 "map": index -> # of codes with bit length = index
  const l = new Uint16Array(mb);
  for (; i < s; ++i) {
    if (cd[i]) ++l[cd[i]! - 1];
  }
  // u16 "map": index -> minimum code for bit length = index
  const le = new Uint16Array(mb);
  for (i = 1; i < mb; ++i) {
    le[i] = (le[i - 1]! + l[i - 1]!) << 1;
  }
  const co = new Uint16Array(s);
  for (i = 0; i < s; ++i) {
    if (cd[i]) {
      co[i] = rev[le[cd[i]! - 1]!++]! >> (15 - cd[i]!);
    }
  }
  return co;
}

// fixed length tree
const flt = new Uint8Array(288);
for (let i = 0; i < 144; ++i) flt[i] = 8;
for (let i = 144; i < 256; ++i) flt[i] = 9;
for (let i = 256; i < 280; ++i) flt[i] = 7;
for (let i = 280; i < 288; ++i) flt[i] = 8;
// fixed distance tree
const fdt = new Uint8Array(32);
for (let i = 0; i < 32; ++i) fdt[i] = 5;
// fixed length map, fixed distance map
const flm = hMap(flt, 9);
const fdm = hMap(fdt, 5);

// get end of byte
const shft = (p: number) => ((p + 7) / 8) | 0;

// starting at p, write the minimum number of bits that can hold v to d
function wbits(d: Uint8Array, p: number, v: number): void {
  v <<= p & 7;
  const o = (p / 8) | 0;
  d[o] |= v;
  d[o + 1] |= v >> 8;
}
// starting at p, write the minimum number of bits (>8) that can hold v to d
function wbits16(d: Uint8Array, p: number, v: number): void {
  v <<= p & 7;
  const o = (p / 8) | 0;
  d[o] |= v;
  d[o + 1] |= v >> 8;
  d[o + 2] |= v >> 16;
}

interface HNode {
  s: number;
  f: number;
  l?: HNode;
  r?: HNode;
}

// empty
const et = new Uint8Array(0);

// creates code lengths from a frequency table
function hTree(d: Uint16Array, mb: number): { t: Uint8Array; l: number } {
  // Need extra info to make a tree
  const t: HNode[] = [];
  for (let i = 0; i < d.length; ++i) {
    if (d[i]) t.push({ s: i, f: d[i]! });
  }
  const s = t.length;
  const t2 = t.slice();
  if (!s) return { t: et, l: 0 };
  if (s == 1) {
    const v = new Uint8Array(t[0]!.s + 1);
    v[t[0]!.s] = 1;
    return { t: v, l: 1 };
  }
  t.sort((a, b) => a.f - b.f);
  // after i2 reaches last ind, will be stopped
  // freq must be greater than largest possible number of symbols
  t.push({ s: -1, f: 25001 });
  let l = t[0]!;
  let r = t[1]!;
  let i0 = 0;
  let i1 = 1;
  let i2 = 2;
  t[0] = { s: -1, f: l.f + r.f, l, r };
  // efficient algorithm from UZIP.js
  // i0 is lookbehind, i2 is lookahead - after processing two low-freq
  // symbols that combined have high freq, will start processing i2 (high-freq,
  // non-composite) symbols instead
  // see https://reddit.com/r/photopea/comments/ikekht/uzipjs_questions/
  while (i1 != s - 1) {
    l = t[t[i0]!.f < t[i2]!.f ? i0++ : i2++]!;
    r = t[i0 != i1 && t[i0]!.f < t[i2]!.f ? i0++ : i2++]!;
    t[i1++] = { s: -1, f: l.f + r.f, l, r };
  }
  let maxSym = t2[0]!.s;
  for (let i = 1; i < s; ++i) {
    if (t2[i]!.s > maxSym) maxSym = t2[i]!.s;
  }
  // code lengths
  const tr = new Uint16Array(maxSym + 1);
  // max bits in tree
  let mbt = ln(t[i1 - 1]!, tr, 0);
  if (mbt > mb) {
    // more algorithms from UZIP.js
    //  ind    debt
    let i = 0;
    let dt = 0;
    //    left            cost
    const lft = mbt - mb;
    const cst = 1 << lft;
    t2.sort((a, b) => tr[b.s]! - tr[a.s]! || a.f - b.f);
    for (; i < s; ++i) {
      const i2_1 = t2[i]!.s;
      if (tr[i2_1]! > mb) {
        dt += cst - (1 << (mbt - tr[i2_1]!));
        tr[i2_1] = mb;
      } else break;
    }
    dt >>= lft;
    while (dt > 0) {
      const i2_2 = t2[i]!.s;
      if (tr[i2_2]! < mb) dt -= 1 << (mb - tr[i2_2]!++ - 1);
      else ++i;
    }
    for (; i >= 0 && dt; --i) {
      const i2_3 = t2[i]!.s;
      if (tr[i2_3] == mb) {
        --tr[i2_3];
        ++dt;
      }
    }
    mbt = mb;
  }
  return { t: new Uint8Array(tr), l: mbt };
}

// get the max length and assign length codes
function ln(n: HNode, l: Uint16Array, d: number): number {
  return n.s == -1 ? Math.max(ln(n.l!, l, d + 1), ln(n.r!, l, d + 1)) : (l[n.s] = d);
}

// length codes generation
function lc(c: Uint8Array): { c: Uint16Array; n: number } {
  let s = c.length;
  while (s && !c[--s]);
  const cl = new Uint16Array(++s);
  //  ind      num         streak
  let cli = 0;
  let cln = c[0]!;
  let cls = 1;
  const w = (v: number) => {
    cl[cli++] = v;
  };
  for (let i = 1; i <= s; ++i) {
    if (c[i] == cln && i != s) ++cls;
    else {
      if (!cln && cls > 2) {
        for (; cls > 138; cls -= 138) w(32754);
        if (cls > 2) {
          w(cls > 10 ? ((cls - 11) << 5) | 28690 : ((cls - 3) << 5) | 12305);
          cls = 0;
        }
      } else if (cls > 3) {
        w(cln), --cls;
        for (; cls > 6; cls -= 6) w(8304);
        if (cls > 2) w(((cls - 3) << 5) | 8208), (cls = 0);
      }
      while (cls--) w(cln);
      cls = 1;
      cln = c[i]!;
    }
  }
  return { c: cl.subarray(0, cli), n: s };
}

// calculate the length of output from tree, code lengths
function clen(cf: Uint16Array, cl: Uint8Array): number {
  let l = 0;
  for (let i = 0; i < cl.length; ++i) l += cf[i]! * cl[i]!;
  return l;
}

// writes a stored block; returns the new bit pos
function wfblk(out: Uint8Array, pos: number, dat: Uint8Array): number {
  // no need to write 00 as type: the buffer is zeroed
  const s = dat.length;
  const o = shft(pos + 2);
  out[o] = s & 255;
  out[o + 1] = s >> 8;
  out[o + 2] = out[o]! ^ 255;
  out[o + 3] = out[o + 1]! ^ 255;
  for (let i = 0; i < s; ++i) out[o + i + 4] = dat[i]!;
  return (o + 4 + s) * 8;
}

// writes a block
function wblk(
  dat: Uint8Array,
  out: Uint8Array,
  final: number,
  syms: Int32Array,
  lf: Uint16Array,
  df: Uint16Array,
  eb: number,
  li: number,
  bs: number,
  bl: number,
  p: number,
): number {
  wbits(out, p++, final);
  ++lf[256];
  const { t: dlt, l: mlb } = hTree(lf, 15);
  const { t: ddt, l: mdb } = hTree(df, 15);
  const { c: lclt, n: nlc } = lc(dlt);
  const { c: lcdt, n: ndc } = lc(ddt);
  const lcfreq = new Uint16Array(19);
  for (let i = 0; i < lclt.length; ++i) ++lcfreq[lclt[i]! & 31];
  for (let i = 0; i < lcdt.length; ++i) ++lcfreq[lcdt[i]! & 31];
  const { t: lct, l: mlcb } = hTree(lcfreq, 7);
  let nlcc = 19;
  for (; nlcc > 4 && !lct[clim[nlcc - 1]!]; --nlcc);
  const flen = (bl + 5) << 3;
  const ftlen = clen(lf, flt) + clen(df, fdt) + eb;
  const dtlen =
    clen(lf, dlt) + clen(df, ddt) + eb + 14 + 3 * nlcc + clen(lcfreq, lct) + 2 * lcfreq[16]! + 3 * lcfreq[17]! + 7 * lcfreq[18]!;
  if (bs >= 0 && flen <= ftlen && flen <= dtlen) return wfblk(out, p, dat.subarray(bs, bs + bl));
  let lm: Uint16Array;
  let ll: Uint8Array;
  let dm: Uint16Array;
  let dl: Uint8Array;
  wbits(out, p, 1 + (dtlen < ftlen ? 1 : 0)), (p += 2);
  if (dtlen < ftlen) {
    (lm = hMap(dlt, mlb)), (ll = dlt), (dm = hMap(ddt, mdb)), (dl = ddt);
    const llm = hMap(lct, mlcb);
    wbits(out, p, nlc - 257);
    wbits(out, p + 5, ndc - 1);
    wbits(out, p + 10, nlcc - 4);
    p += 14;
    for (let i = 0; i < nlcc; ++i) wbits(out, p + 3 * i, lct[clim[i]!]!);
    p += 3 * nlcc;
    const lcts = [lclt, lcdt];
    for (let it = 0; it < 2; ++it) {
      const clct = lcts[it]!;
      for (let i = 0; i < clct.length; ++i) {
        const len = clct[i]! & 31;
        wbits(out, p, llm[len]!), (p += lct[len]!);
        if (len > 15) wbits(out, p, (clct[i]! >> 5) & 127), (p += clct[i]! >> 12);
      }
    }
  } else {
    (lm = flm), (ll = flt), (dm = fdm), (dl = fdt);
  }
  for (let i = 0; i < li; ++i) {
    const sym = syms[i]!;
    if (sym > 255) {
      const len = (sym >> 18) & 31;
      wbits16(out, p, lm[len + 257]!), (p += ll[len + 257]!);
      if (len > 7) wbits(out, p, (sym >> 23) & 31), (p += fleb[len]!);
      const dst = sym & 31;
      wbits16(out, p, dm[dst]!), (p += dl[dst]!);
      if (dst > 3) wbits16(out, p, (sym >> 5) & 8191), (p += fdeb[dst]!);
    } else {
      wbits16(out, p, lm[sym]!), (p += ll[sym]!);
    }
  }
  wbits16(out, p, lm[256]!);
  return p + ll[256]!;
}

// deflate options (nice << 13) | chain
const deo = new Int32Array([65540, 131080, 131088, 131104, 262176, 1048704, 1048832, 2114560, 2117632]);

/**
 * fflate's dflt for one whole input (final block, no dictionary, no streaming state): raw
 * DEFLATE of `dat` written into `w`, which must be zeroed and hold `s + 5·(1 + ⌈s/7000⌉)`
 * bytes. Returns the end bit position.
 */
function dflt(dat: Uint8Array, lvl: number, plvl: number, w: Uint8Array, scratch: ScratchBuffers | undefined): number {
  const s = dat.length;
  const lst = 1;
  let pos = 0;
  if (lvl) {
    const opt = deo[lvl - 1]!;
    const n = opt >> 13;
    const c = opt & 8191;
    const msk_1 = (1 << plvl) - 1;
    //    prev 2-byte val map    curr 2-byte val map
    const prev = scratch ? scratch.u16('deflate.prev', 32768, true) : new Uint16Array(32768);
    const head = scratch ? scratch.u16('deflate.head', msk_1 + 1, true) : new Uint16Array(msk_1 + 1);
    const bs1_1 = Math.ceil(plvl / 3);
    const bs2_1 = 2 * bs1_1;
    const hsh = (i: number) => (dat[i]! ^ (dat[i + 1]! << bs1_1) ^ (dat[i + 2]! << bs2_1)) & msk_1;
    // 24576 is an arbitrary number of maximum symbols per block
    // 424 buffer for last block
    const syms = scratch ? scratch.i32('deflate.syms', 25000) : new Int32Array(25000);
    // length/literal freq   distance freq
    const lf = new Uint16Array(288);
    const df = new Uint16Array(32);
    //  l/lcnt  exbits  index          l/lind  waitdx          blkpos
    let lc_1 = 0;
    let eb = 0;
    let i = 0;
    let li = 0;
    let wi = 0;
    let bs = 0;
    for (; i + 2 < s; ++i) {
      // hash value
      const hv = hsh(i);
      // index mod 32768    previous index mod
      let imod = i & 32767;
      let pimod = head[hv]!;
      prev[imod] = pimod;
      head[hv] = imod;
      // We always should modify head and prev, but only add symbols if
      // this data is not yet processed ("wait" for wait index)
      if (wi <= i) {
        // bytes remaining
        const rem = s - i;
        if ((lc_1 > 7000 || li > 24576) && (rem > 423 || !lst)) {
          pos = wblk(dat, w, 0, syms, lf, df, eb, li, bs, i - bs, pos);
          (li = lc_1 = eb = 0), (bs = i);
          for (let j = 0; j < 286; ++j) lf[j] = 0;
          for (let j = 0; j < 30; ++j) df[j] = 0;
        }
        //  len    dist   chain
        let l = 2;
        let d = 0;
        let ch_1 = c;
        let dif = (imod - pimod) & 32767;
        if (rem > 2 && hv == hsh(i - dif)) {
          const maxn = Math.min(n, rem) - 1;
          const maxd = Math.min(32767, i);
          // max possible length
          // not capped at dif because decompressors implement "rolling" index population
          const ml = Math.min(258, rem);
          while (dif <= maxd && --ch_1 && imod != pimod) {
            if (dat[i + l] == dat[i + l - dif]) {
              let nl = 0;
              for (; nl < ml && dat[i + nl] == dat[i + nl - dif]; ++nl);
              if (nl > l) {
                (l = nl), (d = dif);
                // break out early when we reach "nice" (we are satisfied enough)
                if (nl > maxn) break;
                // now, find the rarest 2-byte sequence within this
                // length of literals and search for that instead.
                // Much faster than just using the start
                const mmd = Math.min(dif, nl - 2);
                let md = 0;
                for (let j = 0; j < mmd; ++j) {
                  const ti = (i - dif + j) & 32767;
                  const pti = prev[ti]!;
                  const cd = (ti - pti) & 32767;
                  if (cd > md) (md = cd), (pimod = ti);
                }
              }
            }
            // check the previous match
            (imod = pimod), (pimod = prev[imod]!);
            dif += (imod - pimod) & 32767;
          }
        }
        // d will be nonzero only when a match was found
        if (d) {
          // store both dist and len data in one int32
          // Make sure this is recognized as a len/dist with 28th bit (2^28)
          syms[li++] = 268435456 | (revfl[l]! << 18) | revfd[d]!;
          const lin = revfl[l]! & 31;
          const din = revfd[d]! & 31;
          eb += fleb[lin]! + fdeb[din]!;
          ++lf[257 + lin];
          ++df[din];
          wi = i + l;
          ++lc_1;
        } else {
          syms[li++] = dat[i]!;
          ++lf[dat[i]!];
        }
      }
    }
    for (i = Math.max(i, wi); i < s; ++i) {
      syms[li++] = dat[i]!;
      ++lf[dat[i]!];
    }
    pos = wblk(dat, w, lst, syms, lf, df, eb, li, bs, i - bs, pos);
  } else {
    for (let i = 0; i < s + lst; i += 65535) {
      // end
      let e = i + 65535;
      if (e >= s) {
        // write final block
        w[(pos / 8) | 0] = lst;
        e = s;
      }
      pos = wfblk(w, pos + 1, dat.subarray(i, e));
    }
  }
  return pos;
}

// Adler32 (fflate's, returning the value as zlibSync writes it)
function adler32(d: Uint8Array): number {
  let n = 1;
  let m = 0;
  const l = d.length | 0;
  for (let i = 0; i != l; ) {
    const e = Math.min(i + 2655, l);
    for (; i < e; ++i) m += n += d[i]!;
    (n = (n & 65535) + 15 * (n >> 16)), (m = (m & 65535) + 15 * (m >> 16));
  }
  n %= 65521;
  m %= 65521;
  return ((n & 255) << 24) | ((n & 0xff00) << 8) | ((m & 255) << 8) | (m >> 8);
}

/**
 * zlib-compresses `data` exactly as fflate's `zlibSync(data, { level })`, into a zeroed buffer
 * of `before + stream + after` bytes (from `scratch`'s slot 'deflate.out' when given, else
 * fresh). Returns that buffer and the stream's length; the stream starts at `before`, and the
 * `after` bytes past its end are free for the caller (zero).
 */
export function zlibCompress(
  data: Uint8Array,
  level: number,
  options: { before?: number; after?: number; scratch?: ScratchBuffers } = {},
): { buffer: Uint8Array; length: number } {
  const before = options.before ?? 0;
  const after = options.after ?? 0;
  const scratch = options.scratch;
  const s = data.length;
  // fflate's sizing: the input plus 5 bytes per 7000 (stored-block headers at worst).
  const room = s + 5 * (1 + Math.ceil(s / 7000));
  const size = before + 2 + room + 4 + after;
  // A huge buffer is taken fresh: the system hands it over zeroed and only the pages the
  // stream reaches become resident, where zero-filling a reused one would touch them all.
  const buffer = scratch && size <= HUGE ? scratch.u8('deflate.out', size, true) : new Uint8Array(size);
  // fflate's memory level for a one-shot call: ⌈max(8, min(13, ln(length))) · 1.5⌉ hash bits.
  const plvl = Math.ceil(Math.max(8, Math.min(13, Math.log(s))) * 1.5);
  const pos = dflt(data, level, plvl, buffer.subarray(before + 2, before + 2 + room), scratch);
  const length = 2 + shft(pos) + 4;
  // zlib header (fflate's zlh), then the Adler-32 written as fflate's wbytes does.
  const fl = level == 0 ? 0 : level < 6 ? 1 : level == 9 ? 3 : 2;
  buffer[before] = 120;
  buffer[before + 1] = fl << 6;
  buffer[before + 1] |= 31 - (((buffer[before]! << 8) | buffer[before + 1]!) % 31);
  for (let b = before + length - 4, v = adler32(data); v; ++b) (buffer[b] = v), (v >>>= 8);
  return { buffer, length };
}
