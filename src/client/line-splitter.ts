// Splits a byte stream into lines. Chunk boundaries fall anywhere, including inside a multi-byte
// UTF-8 character, so bytes are decoded with a streaming decoder before splitting.
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  /** Feeds one chunk; returns the complete, non-empty lines it finished. */
  push(chunk: Buffer | string): string[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const lines: string[] = [];
    let start = 0;
    for (let nl = this.pending.indexOf('\n', start); nl >= 0; nl = this.pending.indexOf('\n', start)) {
      const line = this.pending.slice(start, nl).replace(/\r$/, '');
      if (line.trim() !== '') lines.push(line);
      start = nl + 1;
    }
    this.pending = this.pending.slice(start);
    return lines;
  }

  /** Returns the last line if the stream ended without a trailing newline. */
  end(): string[] {
    const rest = (this.pending + this.decoder.end()).replace(/\r$/, '');
    this.pending = '';
    return rest.trim() === '' ? [] : [rest];
  }
}
