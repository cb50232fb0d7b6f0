/** The byte window under the binary readers: one reused buffer, compacted and grown as needed. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinaryWindow, ChunkStream } from '../../../src/capture/readers/source.js';

function streamOf(bytes: Buffer, cuts: number[]): ChunkStream {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    if (point > start) chunks.push(bytes.subarray(start, point));
    start = Math.max(start, point);
  }
  async function* iterate(): AsyncGenerator<Buffer> {
    for (const chunk of chunks) yield chunk;
  }
  return new ChunkStream(iterate(), () => false);
}

describe('BinaryWindow', () => {
  it('hands out every byte in order, at the right offset, however the stream is cut and read', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 40 }),
        async (data, cuts, reads) => {
          const bytes = Buffer.from(data);
          const window = new BinaryWindow(streamOf(bytes, cuts));
          let offset = 0;
          for (const count of reads) {
            const enough = await window.ensure(count);
            expect(window.offset).toBe(offset);
            if (!enough) {
              expect(window.available).toBe(bytes.length - offset);
              return;
            }
            expect(Buffer.compare(window.bytes.subarray(window.position, window.position + count), bytes.subarray(offset, offset + count))).toBe(0);
            window.position += count;
            offset += count;
          }
        },
      ),
      { seed: 1717, numRuns: 200 },
    );
  });

  it('grows for a block larger than its buffer', async () => {
    const bytes = Buffer.alloc(9 << 20, 7);
    bytes[bytes.length - 1] = 9;
    const window = new BinaryWindow(streamOf(bytes, [5, 1 << 20, 3 << 20]));
    expect(await window.ensure(5)).toBe(true);
    window.position = 5;
    expect(await window.ensure(bytes.length - 5)).toBe(true);
    expect(window.bytes[window.position + bytes.length - 6]).toBe(9);
    expect(await window.ensure(bytes.length)).toBe(false);
  });
});
