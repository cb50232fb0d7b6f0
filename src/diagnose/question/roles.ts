/**
 * Which endpoint is the source and which the destination, from the words around
 * them: "from A", "to B", "B is unreachable", "A can't reach", "A -> B".
 * Words before an endpoint beat words after it ("10.0.0.4 to vm-a times out": vm-a
 * is the destination). Endpoints no word places fill the missing roles in order:
 * the first one left is the source ("A can't reach B" has only "reach" before B).
 */

/** A token of the question: a word (lower case, apostrophes removed) or an endpoint. */
export type Token = { type: 'word'; word: string } | { type: 'endpoint'; index: number };

/** The part an endpoint plays in the question. */
export type Role = 'source' | 'destination' | 'via';

/** Words that may stand between a marker and its endpoint ("to the vm vm-app01"). */
export const FILLERS = new Set([
  'the', 'a', 'an', 'my', 'our', 'their', 'its', 'this', 'that', 'vm', 'vms', 'host', 'server', 'machine', 'ip', 'address',
  'box', 'instance', 'resource', 'endpoint', 'virtual', 'private', 'public', 'app', 'service', 'web', 'function', 'key',
  'vault', 'storage', 'account', 'nic', 'node', 'client', 'called', 'named', 'subnet', 'range', 'network', 'prefix',
]);

const SOURCE_BEFORE = new Set(['from', 'src', 'source']);
const DESTINATION_BEFORE = new Set([
  'to', 'into', 'onto', 'towards', 'toward', 'reach', 'reaching', 'access', 'accessing', 'ping', 'pinging', 'rdp', 'ssh',
  'hit', 'hitting', 'call', 'calling', 'curl', 'telnet', 'resolve', 'resolving', 'dest', 'destination', 'target',
  'against', 'contact', 'contacting', '->', '=>', '→', '⇒', '>',
]);
const VIA_BEFORE = new Set(['via', 'through', 'thru']);
/** Words after an endpoint that make it the destination ("vm-a is unreachable", "can't be reached"). */
const DESTINATION_AFTER = new Set(['unreachable', 'reachable', 'down', 'unavailable', 'responding', 'unresponsive', 'offline']);
const PASSIVE = new Set(['reached', 'accessed', 'contacted', 'pinged', 'connected']);
/** Words after an endpoint that make it the source ("vm-a can't reach", "the app times out"). */
const SOURCE_AFTER = new Set([
  'cant', 'cannot', 'can', 'could', 'couldnt', 'unable', 'fails', 'failed', 'failing', 'doesnt', 'didnt', 'does', 'did',
  'wont', 'times', 'timing', 'timed', 'gets', 'get', 'got', 'trying', 'tries', 'tried', 'talking', 'connecting', 'sends',
  'sending', 'calls', 'pings', '->', '=>', '→', '⇒', '>',
]);
const AUXILIARIES = new Set(['is', 'was', 'are', 'still', 'keeps', 'keep', 'always', 'now', 'also', 'just', 'suddenly', 'not']);
/** Words that end the look-ahead after an endpoint. */
const STOPS = new Set([...SOURCE_BEFORE, ...DESTINATION_BEFORE, ...VIA_BEFORE, 'and', 'but', 'or']);

function wordAt(tokens: readonly Token[], index: number): string | null {
  const token = tokens[index];
  return token?.type === 'word' ? token.word : null;
}

/** The marker word before the endpoint at `index`, skipping fillers. */
function markerBefore(tokens: readonly Token[], index: number): string | null {
  for (let cursor = index - 1, skipped = 0; cursor >= 0 && skipped <= 3; cursor -= 1, skipped += 1) {
    const word = wordAt(tokens, cursor);
    if (word === null) return null;
    if (!FILLERS.has(word)) return word;
  }
  return null;
}

function roleAfter(tokens: readonly Token[], index: number): Role | null {
  const following: string[] = [];
  for (let cursor = index + 1; cursor < tokens.length && following.length < 5; cursor += 1) {
    const word = wordAt(tokens, cursor);
    if (word === null || STOPS.has(word)) {
      if (word !== null && following.length === 0 && SOURCE_AFTER.has(word)) following.push(word);
      break;
    }
    following.push(word);
  }
  for (let position = 0; position < following.length; position += 1) {
    const word = following[position] ?? '';
    if (DESTINATION_AFTER.has(word)) return 'destination';
    if ((word === 'be' || word === 'been' || word === 'being') && PASSIVE.has(following[position + 1] ?? '')) return 'destination';
  }
  const first = following.find((word) => !AUXILIARIES.has(word));
  return first !== undefined && SOURCE_AFTER.has(first) ? 'source' : null;
}

/** The role of each endpoint token (by endpoint index), or a conflict to ask about. */
export function assignRoles(tokens: readonly Token[], endpointCount: number):
  { kind: 'roles'; roles: Array<Role | null> } | { kind: 'conflict'; indexes: number[] } {
  const roles: Array<Role | null> = new Array<Role | null>(endpointCount).fill(null);
  const strong: boolean[] = new Array<boolean>(endpointCount).fill(false);
  tokens.forEach((token, position) => {
    if (token.type !== 'endpoint') return;
    const marker = markerBefore(tokens, position);
    let role: Role | null = null;
    if (marker !== null && SOURCE_BEFORE.has(marker)) role = 'source';
    else if (marker !== null && DESTINATION_BEFORE.has(marker)) role = 'destination';
    else if (marker !== null && VIA_BEFORE.has(marker)) role = 'via';
    const isStrong = role !== null;
    role ??= roleAfter(tokens, position);
    const current = roles[token.index] ?? null;
    // The same endpoint twice ("kv-prod.vault.azure.net (kv-prod)"): a word before it wins.
    if (current === null || (isStrong && !strong[token.index])) {
      roles[token.index] = role;
      strong[token.index] = isStrong;
    }
  });
  for (const role of ['source', 'destination'] as const) {
    const holders = roles.flatMap((candidate, index) => (candidate === role ? [index] : []));
    if (holders.length > 1) {
      const strongHolders = holders.filter((index) => strong[index]);
      // A word before an endpoint beats a word after another one.
      if (strongHolders.length === 1) {
        for (const index of holders) if (!strong[index]) roles[index] = null;
      } else {
        return { kind: 'conflict', indexes: holders };
      }
    }
  }
  const unplaced = roles.flatMap((role, index) => (role === null ? [index] : []));
  for (const index of unplaced) {
    if (!roles.includes('source') && (roles.includes('destination') || unplaced.length > 1 || endpointCount > 1)) roles[index] = 'source';
    else if (!roles.includes('destination')) roles[index] = 'destination';
  }
  return { kind: 'roles', roles };
}
