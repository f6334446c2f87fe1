/**
 * A minimal protobuf wire-format reader and writer: just enough to walk ONNX messages field
 * by field and to assemble new messages from raw field bytes. Pure TypeScript, no Node API:
 * the UI bundle ships it.
 *
 * Nothing here decodes tensor payloads: a field is a (number, wire type, byte range) over the
 * original buffer, and writing copies byte ranges, so large weights are copied exactly once
 * (from the source buffer into the output buffer).
 */

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** One field of a message: its number, wire type and where its bytes are in `buf`. */
export interface Field {
  num: number;
  wire: number;
  /** Start of the whole field (tag included) in `buf`. */
  start: number;
  /** End of the whole field in `buf`. */
  end: number;
  /** Start/end of the payload: the value bytes (for LEN, the message or string itself). */
  valueStart: number;
  valueEnd: number;
  /** The varint value for VARINT fields (as a number: ONNX ints that matter are small). */
  varint: number;
}

export class ProtoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtoError';
  }
}

/**
 * Reads a varint at `pos`; returns [value, next position]. Values are read as int64 (a
 * 10-byte varint is a negative number, as protobuf writes negative int32/int64 values);
 * magnitudes above 2^53 lose precision, which no ONNX field we interpret reaches.
 */
export function readVarint(buf: Uint8Array, pos: number, end: number): [number, number] {
  let result = 0;
  let mul = 1;
  const start = pos;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new ProtoError('truncated varint');
    const b = buf[pos++]!;
    if (i >= 7) return readLongVarint(buf, start, end);
    result += (b & 0x7f) * mul;
    if (b < 0x80) return [result, pos];
    mul *= 128;
  }
  throw new ProtoError('varint longer than 10 bytes');
}

/** Slow path for varints of 8 bytes or more, through BigInt (exact, then signed). */
function readLongVarint(buf: Uint8Array, pos: number, end: number): [number, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new ProtoError('truncated varint');
    const b = buf[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [Number(BigInt.asIntN(64, result)), pos];
    shift += 7n;
  }
  throw new ProtoError('varint longer than 10 bytes');
}

/** The fields of the message in buf[start, end), in order (no copy). */
export function readFields(buf: Uint8Array, start = 0, end = buf.length): Field[] {
  const fields: Field[] = [];
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const [tag, p1] = readVarint(buf, pos, end);
    pos = p1;
    const num = Math.floor(tag / 8);
    const wire = tag & 7;
    if (num === 0) throw new ProtoError(`invalid field number 0 at byte ${fieldStart}`);
    let valueStart = pos;
    let varint = 0;
    switch (wire) {
      case WIRE_VARINT: {
        [varint, pos] = readVarint(buf, pos, end);
        break;
      }
      case WIRE_I64:
        pos += 8;
        break;
      case WIRE_I32:
        pos += 4;
        break;
      case WIRE_LEN: {
        const [len, p2] = readVarint(buf, pos, end);
        valueStart = p2;
        pos = p2 + len;
        break;
      }
      default:
        throw new ProtoError(`unsupported wire type ${wire} (field ${num}) at byte ${fieldStart}`);
    }
    if (pos > end) throw new ProtoError(`field ${num} runs past the end of its message (byte ${fieldStart})`);
    fields.push({ num, wire, start: fieldStart, end: pos, valueStart, valueEnd: pos, varint });
  }
  return fields;
}

const decoder = new TextDecoder();

/** The UTF-8 string payload of a LEN field. */
export function fieldString(buf: Uint8Array, f: Field): string {
  return decoder.decode(buf.subarray(f.valueStart, f.valueEnd));
}

/** Packed or unpacked repeated varints (e.g. dims, ints). */
export function fieldVarints(buf: Uint8Array, f: Field): number[] {
  if (f.wire === WIRE_VARINT) return [f.varint];
  if (f.wire !== WIRE_LEN) throw new ProtoError(`field ${f.num}: expected varints`);
  const out: number[] = [];
  let pos = f.valueStart;
  while (pos < f.valueEnd) {
    const [v, p] = readVarint(buf, pos, f.valueEnd);
    out.push(v);
    pos = p;
  }
  return out;
}

/**
 * Output under construction: a list of chunks (views into source buffers, or small encoded
 * pieces) concatenated once at the end. Length-delimited submessages nest as writers.
 */
export class ProtoWriter {
  private readonly chunks: Array<Uint8Array | ProtoWriter> = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  /** Appends raw bytes as they are (e.g. a whole field copied from the source). */
  raw(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.size += bytes.length;
    return this;
  }

  /** Appends the fields' bytes (tags included) from `buf`, unchanged. */
  copy(buf: Uint8Array, fields: readonly Field[]): this {
    for (const f of fields) this.raw(buf.subarray(f.start, f.end));
    return this;
  }

  private small(bytes: number[]): void {
    this.raw(Uint8Array.from(bytes));
  }

  private static varintBytes(v: number, into: number[]): void {
    if (v < 0) {
      // int64 two's complement: always 10 bytes.
      let x = BigInt.asUintN(64, BigInt(v));
      for (let i = 0; i < 9; i++) {
        into.push(Number(x & 0x7fn) | 0x80);
        x >>= 7n;
      }
      into.push(Number(x));
      return;
    }
    while (v >= 128) {
      into.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    into.push(v);
  }

  varintField(num: number, value: number): this {
    const b: number[] = [];
    ProtoWriter.varintBytes(num * 8 + WIRE_VARINT, b);
    ProtoWriter.varintBytes(value, b);
    this.small(b);
    return this;
  }

  bytesField(num: number, payload: Uint8Array): this {
    const b: number[] = [];
    ProtoWriter.varintBytes(num * 8 + WIRE_LEN, b);
    ProtoWriter.varintBytes(payload.length, b);
    this.small(b);
    this.raw(payload);
    return this;
  }

  stringField(num: number, s: string): this {
    return this.bytesField(num, new TextEncoder().encode(s));
  }

  /** A length-delimited submessage built by `build`. */
  message(num: number, build: (w: ProtoWriter) => void): this {
    const sub = new ProtoWriter();
    build(sub);
    const b: number[] = [];
    ProtoWriter.varintBytes(num * 8 + WIRE_LEN, b);
    ProtoWriter.varintBytes(sub.length, b);
    this.small(b);
    this.chunks.push(sub);
    this.size += sub.length;
    return this;
  }

  /** The assembled bytes (one allocation, each chunk copied once). */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    this.writeInto(out, 0);
    return out;
  }

  private writeInto(out: Uint8Array, pos: number): number {
    for (const c of this.chunks) {
      if (c instanceof ProtoWriter) pos = c.writeInto(out, pos);
      else {
        out.set(c, pos);
        pos += c.length;
      }
    }
    return pos;
  }
}
