import { NriError, NriErrorCode } from '../nri-error.js';

// Both wire layers are "fixed header with a big-endian u32 length, then that many
// bytes": the mux frame (8-byte header, length at 4) and the ttRPC message (10-byte
// header, length at 0). This reader reassembles them from chunks of any size: a header
// split across reads, several records in one read. Memory stays bounded: a record
// longer than maxLength is either refused (the caller closes the connection) or
// skipped byte by byte without being buffered.

export interface Record {
  header: Buffer;
  body: Buffer;
}

export interface OversizedRecord {
  header: Buffer;
  length: number;
}

export interface LengthPrefixedReaderOptions {
  headerBytes: number;
  lengthOffset: number;
  maxLength: number;
  /** 'throw': an oversized length is fatal. 'skip': its bytes are dropped and it is reported. */
  onOversized: 'throw' | 'skip';
  what: string;
}

export class LengthPrefixedReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private skipping = 0;

  constructor(private readonly options: LengthPrefixedReaderOptions) {}

  get bufferedBytes(): number {
    return this.buffered;
  }

  /** Feeds bytes; returns the records they completed, in order. */
  push(chunk: Buffer, oversized?: (record: OversizedRecord) => void): Record[] {
    const out: Record[] = [];
    let data = chunk;
    if (this.skipping > 0) {
      const dropped = Math.min(this.skipping, data.length);
      this.skipping -= dropped;
      data = data.subarray(dropped);
    }
    if (data.length === 0) return out;
    this.chunks.push(data);
    this.buffered += data.length;
    const { headerBytes, lengthOffset, maxLength } = this.options;
    while (this.buffered >= headerBytes) {
      const head = this.peek(headerBytes);
      const length = head.readUInt32BE(lengthOffset);
      if (length > maxLength) {
        if (this.options.onOversized === 'throw') {
          throw new NriError(NriErrorCode.FrameTooLarge, `${this.options.what} of ${length} bytes exceeds the limit of ${maxLength}`);
        }
        const header = Buffer.from(this.take(headerBytes));
        const dropped = Math.min(length, this.buffered);
        this.take(dropped);
        this.skipping = length - dropped;
        oversized?.({ header, length });
        continue;
      }
      if (this.buffered < headerBytes + length) break;
      const whole = this.take(headerBytes + length);
      out.push({ header: whole.subarray(0, headerBytes), body: whole.subarray(headerBytes) });
    }
    return out;
  }

  /** At end of stream: anything left over is a truncated record. */
  end(): void {
    if (this.buffered > 0 || this.skipping > 0) {
      const left = this.buffered;
      this.chunks = [];
      this.buffered = 0;
      this.skipping = 0;
      throw new NriError(NriErrorCode.Truncated, `stream ended inside a ${this.options.what} (${left} bytes buffered)`);
    }
  }

  /** The first n bytes at the front of one buffer; callers ensure n <= buffered. */
  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) return first;
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.peek(n);
    const taken = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return taken;
  }
}
