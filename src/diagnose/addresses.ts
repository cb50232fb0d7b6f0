/** Whole-address IP and prefix arithmetic for IPv4 and IPv6 (never substring matching). */
import { isIP } from 'node:net';

/** Parses an address to a bigint and its family, or null when it is not an address. */
export function parseAddress(text: string): { value: bigint; bits: 32 | 128 } | null {
  const family = isIP(text);
  if (family === 4) {
    const value = text.split('.').reduce((sum, octet) => (sum << 8n) + BigInt(Number(octet)), 0n);
    return { value, bits: 32 };
  }
  if (family === 6) {
    const [head = '', tail = ''] = text.includes('::') ? text.split('::') : [text, ''];
    const headGroups = head ? head.split(':') : [];
    const tailGroups = tail ? tail.split(':') : [];
    const expandDotted = (groups: string[]): string[] => groups.flatMap((group) => {
      if (!group.includes('.')) return [group];
      const parsed = parseAddress(group);
      if (!parsed) return [group];
      return [((parsed.value >> 16n) & 0xffffn).toString(16), (parsed.value & 0xffffn).toString(16)];
    });
    const expandedHead = expandDotted(headGroups);
    const expandedTail = expandDotted(tailGroups);
    const missing = 8 - expandedHead.length - expandedTail.length;
    const groups = [...expandedHead, ...Array.from({ length: Math.max(missing, 0) }, () => '0'), ...expandedTail];
    const value = groups.reduce((sum, group) => (sum << 16n) + BigInt(Number.parseInt(group || '0', 16)), 0n);
    return { value, bits: 128 };
  }
  return null;
}

/** True when `address` lies in `prefix` (a CIDR, or a single address). */
export function addressInPrefix(address: string, prefix: string): boolean {
  const [network = '', lengthText] = prefix.split('/');
  const parsedAddress = parseAddress(address);
  const parsedNetwork = parseAddress(network);
  if (!parsedAddress || !parsedNetwork || parsedAddress.bits !== parsedNetwork.bits) return false;
  const length = lengthText === undefined ? parsedNetwork.bits : Number(lengthText);
  if (!Number.isInteger(length) || length < 0 || length > parsedNetwork.bits) return false;
  const shift = BigInt(parsedNetwork.bits - length);
  return parsedAddress.value >> shift === parsedNetwork.value >> shift;
}
