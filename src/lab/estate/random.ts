/**
 * Deterministic randomness for the estate builder: a string hash, a seeded PRNG
 * (sfc32) and the identifiers Azure hands out (GUIDs, etags, MAC addresses).
 * Same seed, same estate, byte for byte.
 */

/** 32-bit FNV-1a hash of a string, mixed so that near-identical seeds diverge. */
export function hash32(text: string): number {
  let state = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    state ^= text.charCodeAt(index);
    state = Math.imul(state, 0x01000193);
  }
  state ^= state >>> 16;
  state = Math.imul(state, 0x85ebca6b);
  state ^= state >>> 13;
  return state >>> 0;
}

/** A seeded pseudo-random generator (sfc32) with the helpers the builder needs. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    this.a = hash32(`${seed}#a`);
    this.b = hash32(`${seed}#b`);
    this.c = hash32(`${seed}#c`);
    this.d = hash32(`${seed}#d`);
    for (let warmUp = 0; warmUp < 12; warmUp += 1) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    this.a >>>= 0; this.b >>>= 0; this.c >>>= 0; this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [minimum, maximum], both included. */
  int(minimum: number, maximum: number): number {
    return minimum + Math.floor(this.next() * (maximum - minimum + 1));
  }

  /** True with the given probability. */
  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** An ephemeral source port as Windows and Linux pick them (49152-65535). */
  ephemeralPort(): number {
    return this.int(49152, 65535);
  }

  /** Lower-case hex digits. */
  hex(length: number): string {
    let text = '';
    while (text.length < length) text += Math.floor(this.next() * 16).toString(16);
    return text;
  }
}

/** A GUID derived from a seed string: stable for the same resource. */
export function guidFor(seed: string): string {
  const random = new Random(`guid:${seed}`);
  const hex = random.hex(32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A version-4 GUID (variant bits set) derived from a seed string, for subscription and tenant ids. */
export function guidV4For(seed: string): string {
  const random = new Random(`guid4:${seed}`);
  const hex = random.hex(32).split('');
  hex[12] = '4';
  hex[16] = '89ab'.charAt(Math.floor(random.next() * 4));
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20, 32)}`;
}

/** A weak ARM etag for a resource id. */
export function etagFor(id: string): string {
  return `W/"${guidFor(`etag:${id}`)}"`;
}

/** An Azure NIC MAC address (Microsoft OUI 00-22-48) for a NIC id, dash-separated upper case as ARM shows it. */
export function macFor(id: string): string {
  const hex = new Random(`mac:${id}`).hex(6).toUpperCase();
  return `00-22-48-${hex.slice(0, 2)}-${hex.slice(2, 4)}-${hex.slice(4, 6)}`;
}
