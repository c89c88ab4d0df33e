/**
 * Cuts a TCP byte stream into whole Diameter messages: one read may hold part of a message or
 * several of them. A header that cannot be right (version, length) leaves no way to find the next
 * message, so it throws DiameterFramingError and the connection must be closed.
 */
import { DiameterFramingError, HEADER_LENGTH } from './codec';

/** Larger than any credit-control message; a bigger length field is treated as garbage. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 1 << 20;

/** Accumulates bytes and returns each complete message once all its bytes have arrived. */
export class DiameterFramer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH) {}

  /** Adds a chunk; returns the messages it completed, in order. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const messages: Buffer[] = [];
    let offset = 0;
    while (this.pending.length - offset >= 4) {
      const version = this.pending[offset];
      if (version !== 1) throw new DiameterFramingError(`unsupported Diameter version ${version}`);
      const length = this.pending.readUIntBE(offset + 1, 3);
      if (length < HEADER_LENGTH || length % 4 !== 0) throw new DiameterFramingError(`invalid message length ${length}`);
      if (length > this.maxMessageLength) throw new DiameterFramingError(`message length ${length} over the limit of ${this.maxMessageLength}`);
      if (this.pending.length - offset < length) break;
      // A copy, so that a message kept by its reader does not pin the whole read buffer.
      messages.push(Buffer.from(this.pending.subarray(offset, offset + length)));
      offset += length;
    }
    this.pending = offset === this.pending.length ? Buffer.alloc(0) : this.pending.subarray(offset);
    return messages;
  }

  /** Bytes received that do not yet make a whole message. */
  get buffered(): number {
    return this.pending.length;
  }
}
