/**
 * Reusable scratch buffers for batch work (the CLI's remove-bg, one image after another).
 *
 * A batch that allocates a fresh multi-megabyte buffer for every stage of every image (decode,
 * resize, tensor, alpha, mask, cutout, PNG filtering) leaves the allocator a stream of
 * differently sized blocks to place; glibc keeps the gaps they leave resident, so the
 * process's peak RSS creeps up over hundreds of images even though nothing leaks. With
 * scratch buffers each stage has one slot that grows to the largest size it was asked for and
 * is then reused: once the largest image has been seen, a batch allocates (almost) nothing
 * large any more.
 *
 * Contract: a view returned for a slot is valid until the next request for the same slot (the
 * next image); its contents are whatever the previous user left unless `zero` is asked for.
 * Functions that take an optional `scratch` return results that live in it: copy what must
 * outlive the next call. Without a `scratch` they allocate as before. Results are identical
 * either way. Not for concurrent use (one image in flight per ScratchBuffers).
 */
export const HUGE = 32 << 20;

/**
 * One image-sized slot shared by stages whose buffers never live at the same time: a PNG's
 * inflated data (inside the decode), the salient model's full-size float alpha (until the
 * mask is made), the filtered rows of a PNG being encoded (inside the encode). On a huge image
 * this is one buffer where it would be three, and it does not depend on the garbage collector
 * having freed the previous stage's. A user must be done with it before the next one starts.
 */
export const TRANSIENT_SLOT = 'image.transient';

export class ScratchBuffers {
  private readonly slots = new Map<string, ArrayBuffer>();

  /**
   * The slot's buffer, grown to at least `bytes`. It is not kept at a huge size for small
   * requests: one above 32 MiB (glibc maps such blocks on their own and returns them to the
   * system when freed, so they cause no fragmentation) is replaced when a request needs less
   * than a quarter of it — one 50-megapixel photo does not pin its buffers for the rest of a
   * batch of small ones.
   */
  private buffer(slot: string, bytes: number): ArrayBuffer {
    let b = this.slots.get(slot);
    if (!b || b.byteLength < bytes || (b.byteLength > HUGE && bytes * 4 < b.byteLength)) {
      // Drop the old one first, so both are never held at once by us.
      this.slots.delete(slot);
      b = new ArrayBuffer(bytes);
      this.slots.set(slot, b);
    }
    return b;
  }

  /** `length` bytes of the slot (zero-filled if `zero`). */
  u8(slot: string, length: number, zero = false): Uint8Array {
    const a = new Uint8Array(this.buffer(slot, length), 0, length);
    if (zero) a.fill(0);
    return a;
  }

  /** `length` floats of the slot (zero-filled if `zero`). */
  f32(slot: string, length: number, zero = false): Float32Array {
    const a = new Float32Array(this.buffer(slot, length * 4), 0, length);
    if (zero) a.fill(0);
    return a;
  }

  /** `length` 16-bit integers of the slot (zero-filled if `zero`). */
  u16(slot: string, length: number, zero = false): Uint16Array {
    const a = new Uint16Array(this.buffer(slot, length * 2), 0, length);
    if (zero) a.fill(0);
    return a;
  }

  /** `length` 32-bit integers of the slot (zero-filled if `zero`). */
  i32(slot: string, length: number, zero = false): Int32Array {
    const a = new Int32Array(this.buffer(slot, length * 4), 0, length);
    if (zero) a.fill(0);
    return a;
  }

  /**
   * Lets go of each named slot holding more than 32 MiB. A huge image's transient buffers
   * (its file bytes, the inflated PNG data, the float alpha, the filtered rows) are dropped as
   * soon as their stage is done, so they do not add up to the peak of the stages after it;
   * ordinary sizes stay for reuse.
   */
  dropHuge(...slots: string[]): void {
    for (const slot of slots) {
      const b = this.slots.get(slot);
      if (b && b.byteLength > HUGE) this.slots.delete(slot);
    }
  }

  /** Total bytes held. */
  get bytes(): number {
    let n = 0;
    for (const b of this.slots.values()) n += b.byteLength;
    return n;
  }

  /** Lets every buffer go. */
  clear(): void {
    this.slots.clear();
  }
}

/** `length` bytes from `scratch`'s slot, or a fresh zero-filled array without one. */
export function scratchU8(scratch: ScratchBuffers | undefined, slot: string, length: number, zero = false): Uint8Array {
  return scratch ? scratch.u8(slot, length, zero) : new Uint8Array(length);
}

/** `length` floats from `scratch`'s slot, or a fresh zero-filled array without one. */
export function scratchF32(scratch: ScratchBuffers | undefined, slot: string, length: number, zero = false): Float32Array {
  return scratch ? scratch.f32(slot, length, zero) : new Float32Array(length);
}
