import { closeSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { BusError, BusErrorCode } from './bus-error.js';
import { crc32 } from './crc32.js';

// An append-only file of messages waiting for NATS. Record layout (little endian):
//   u32 body length | u32 CRC-32 of body | u8 state (0 pending, 1 delivered) | body
//   body = u16 subject length | subject | u16 message id length | message id | data
// Delivering a record flips its state byte in place, a one-byte write, so a crash
// at any point never replays a record that was marked. Once nothing is pending the
// file is truncated; when full, delivered records are compacted away by writing the
// pending ones to a new file and renaming it over the old one. A torn record at the
// end (a crash mid-append) is cut off at open and reported.
// Appends are not fsynced: the spool survives the process dying, not the node losing power.

const HEADER_BYTES = 9;
const STATE_OFFSET = 8;
const PENDING = 0;
const DELIVERED = 1;
const MAX_NAME_BYTES = 0xffff;

export interface SpoolEntry {
  subject: string;
  msgId: string;
  data: Uint8Array;
}

interface Slot extends SpoolEntry {
  offset: number;
  length: number;
}

export interface SpoolOpenReport {
  pending: number;
  delivered: number;
  /** Bytes cut off the end because they did not form a whole, valid record. */
  truncatedBytes: number;
}

export class SpoolFile {
  private fd: number;
  private size = 0;
  private queue: Slot[] = [];
  private head = 0;
  readonly openReport: SpoolOpenReport;

  private constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path)) closeSync(openSync(path, 'w', 0o600));
    // Not 'a': with O_APPEND, Linux ignores the position of the state-byte writes.
    this.fd = openSync(path, 'r+');
    this.openReport = this.load();
  }

  static open(path: string, options: { maxBytes: number }): SpoolFile {
    return new SpoolFile(path, options.maxBytes);
  }

  get pendingCount(): number {
    return this.queue.length - this.head;
  }

  get sizeBytes(): number {
    return this.size;
  }

  /** Adds an entry at the end; false when it does not fit in maxBytes (the caller counts the overflow). */
  append(entry: SpoolEntry): boolean {
    const record = encodeRecord(entry);
    if (this.size + record.length > this.maxBytes) {
      this.compact();
      if (this.size + record.length > this.maxBytes) return false;
    }
    writeAll(this.fd, record, this.size);
    this.queue.push({ ...entry, offset: this.size, length: record.length });
    this.size += record.length;
    return true;
  }

  /** The oldest pending entry. */
  peek(): SpoolEntry | undefined {
    const slot = this.queue[this.head];
    return slot && { subject: slot.subject, msgId: slot.msgId, data: slot.data };
  }

  /** Marks the oldest pending entry delivered, durably. */
  shift(): void {
    const slot = this.queue[this.head];
    if (!slot) return;
    writeAll(this.fd, Uint8Array.of(DELIVERED), slot.offset + STATE_OFFSET);
    this.head += 1;
    if (this.pendingCount === 0) {
      ftruncateSync(this.fd, 0);
      this.size = 0;
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  close(): void {
    closeSync(this.fd);
  }

  private compact(): void {
    const pending = this.queue.slice(this.head);
    const first = pending[0];
    if (!first || first.offset === 0) return;
    const tmp = `${this.path}.compact`;
    const fd = openSync(tmp, 'w', 0o600);
    let offset = 0;
    const moved: Slot[] = [];
    for (const slot of pending) {
      const record = encodeRecord(slot);
      writeAll(fd, record, offset);
      moved.push({ ...slot, offset, length: record.length });
      offset += record.length;
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.path);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'r+');
    this.queue = moved;
    this.head = 0;
    this.size = offset;
  }

  private load(): SpoolOpenReport {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path);
    } catch (cause) {
      throw new BusError(BusErrorCode.Spool, `cannot read spool ${this.path}`, { cause });
    }
    let offset = 0;
    let delivered = 0;
    while (offset < bytes.length) {
      const record = decodeRecord(bytes, offset);
      if (!record) break;
      if (record.state === PENDING) this.queue.push({ ...record.entry, offset, length: record.length });
      else delivered += 1;
      offset += record.length;
    }
    const truncatedBytes = bytes.length - offset;
    if (truncatedBytes > 0) ftruncateSync(this.fd, offset);
    this.size = offset;
    if (this.queue.length === 0 && this.size > 0) {
      ftruncateSync(this.fd, 0);
      this.size = 0;
    }
    return { pending: this.queue.length, delivered, truncatedBytes };
  }
}

function encodeRecord(entry: SpoolEntry): Buffer {
  const subject = Buffer.from(entry.subject, 'utf8');
  const msgId = Buffer.from(entry.msgId, 'utf8');
  if (subject.length > MAX_NAME_BYTES || msgId.length > MAX_NAME_BYTES) {
    throw new BusError(BusErrorCode.Spool, 'subject or message id longer than 65535 bytes');
  }
  const bodyLength = 2 + subject.length + 2 + msgId.length + entry.data.length;
  const record = Buffer.alloc(HEADER_BYTES + bodyLength);
  let at = HEADER_BYTES;
  at = record.writeUInt16LE(subject.length, at);
  at += subject.copy(record, at);
  at = record.writeUInt16LE(msgId.length, at);
  at += msgId.copy(record, at);
  record.set(entry.data, at);
  record.writeUInt32LE(bodyLength, 0);
  record.writeUInt32LE(crc32(record.subarray(HEADER_BYTES)), 4);
  record.writeUInt8(PENDING, STATE_OFFSET);
  return record;
}

function decodeRecord(bytes: Buffer, offset: number): { entry: SpoolEntry; state: number; length: number } | undefined {
  if (offset + HEADER_BYTES > bytes.length) return undefined;
  const bodyLength = bytes.readUInt32LE(offset);
  const end = offset + HEADER_BYTES + bodyLength;
  if (bodyLength < 4 || end > bytes.length) return undefined;
  const body = bytes.subarray(offset + HEADER_BYTES, end);
  if (crc32(body) !== bytes.readUInt32LE(offset + 4)) return undefined;
  const state = bytes.readUInt8(offset + STATE_OFFSET);
  if (state !== PENDING && state !== DELIVERED) return undefined;
  const subjectLength = body.readUInt16LE(0);
  if (2 + subjectLength + 2 > body.length) return undefined;
  const subject = body.toString('utf8', 2, 2 + subjectLength);
  const idLength = body.readUInt16LE(2 + subjectLength);
  const dataStart = 4 + subjectLength + idLength;
  if (dataStart > body.length) return undefined;
  const msgId = body.toString('utf8', 4 + subjectLength, dataStart);
  return { entry: { subject, msgId, data: new Uint8Array(body.subarray(dataStart)) }, state, length: end - offset };
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, position + written);
}
