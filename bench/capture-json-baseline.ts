/**
 * The JSON baseline of `bench/capture.ts`: what a naive reader does with a Wireshark
 * JSON export. JSON.parse (which keeps only the last of each duplicate key) plus a walk
 * over every packet's layers. Run as its own process so its peak memory is its own.
 */
import { readFileSync } from 'node:fs';

function walk(value: unknown): number {
  if (value === null || typeof value !== 'object') return 1;
  let count = 0;
  for (const child of Object.values(value as Record<string, unknown>)) count += walk(child);
  return count;
}

const file = process.argv[2];
if (!file) throw new Error('usage: capture-json-baseline FILE');
const packets = JSON.parse(readFileSync(file, 'utf8')) as { _source?: { layers?: unknown } }[];
let values = 0;
for (const packet of packets) values += walk(packet._source?.layers);
process.stdout.write(`${JSON.stringify({ packets: packets.length, values })}\n`);
