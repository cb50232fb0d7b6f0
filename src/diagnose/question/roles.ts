/**
 * Which endpoint is the source and which the destination, from the words around
 * them: "from A", "to B", "B is unreachable", "A can't reach", "A -> B".
 * Words before an endpoint beat words after it ("10.0.0.4 to vm-a times out": vm-a
 * is the destination). Weaker hints come last: "on B" ("SQL on vm-sql01", "an error on
 * https://vm-web01"), "gets a 403 from B" (B answered, so B is the destination) and "shows
 * an error to B" (B is the client); a URL
 * is what the client asks for, so its host is a destination unless a word before it says
 * otherwise. Endpoints nothing places fill the missing roles in the order they are written:
 * the first one left is the source ("A can't reach B" has only "reach" before B).
 */

/**
 * A token of the question: a word (lower case, apostrophes removed) or an endpoint;
 * `leans` is set for the host of a URL or an endpoint written with its port; `mention` is the
 * mention's own index when `index` is that of the first mention of the same endpoint.
 */
export type Token = { type: 'word'; word: string } | { type: 'endpoint'; index: number; leans?: 'destination'; mention?: number };

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
/** Weak: "SQL on vm-sql01", "a certificate error on https://vm-web01" (but "users on 10.1.0.0/24 can't ..." is a source). */
const WEAK_DESTINATION_BEFORE = new Set(['on']);
/** "gets a 403 from B", "receives resets from B": what comes back comes from the destination. */
const RECEIVE = new Set([
  'get', 'gets', 'got', 'getting', 'receive', 'receives', 'received', 'receiving', 'see', 'sees', 'seeing',
  'download', 'downloads', 'downloading', 'downloaded', 'fetch', 'fetches', 'fetching', 'pull', 'pulls', 'pulling', 'read', 'reads', 'reading',
]);
/** "shows an error to B", "returns 403 to B": what is shown goes to the client, the source. */
const GIVE = new Set(['show', 'shows', 'showing', 'shown', 'return', 'returns', 'returning', 'returned', 'serve', 'serves', 'serving', 'present', 'presents', 'presenting', 'send', 'sends', 'sending', 'give', 'gives', 'giving']);
/** How many words back from "from" a receiving verb still counts. */
const RECEIVE_REACH = 10;
/** Words after an endpoint that make it the destination ("vm-a is unreachable", "can't be reached"). */
const DESTINATION_AFTER = new Set([
  'unreachable', 'reachable', 'down', 'unavailable', 'responding', 'unresponsive', 'offline',
  // "vm-sql01 refusing vm-app02": the one that refuses answers.
  'refusing', 'refuses', 'rejecting', 'rejects', 'resetting', 'resets', 'denying', 'denies',
]);
/** "blocking A from B": A is kept from reaching B. */
const BLOCK = new Set(['block', 'blocks', 'blocking', 'blocked', 'prevent', 'prevents', 'preventing', 'stop', 'stops', 'stopping', 'keep', 'keeps', 'keeping']);
const PASSIVE = new Set(['reached', 'accessed', 'contacted', 'pinged', 'connected']);
/** Words after an endpoint that make it the source ("vm-a can't reach", "the app times out"). */
const SOURCE_AFTER = new Set([
  'cant', 'cannot', 'can', 'could', 'couldnt', 'unable', 'fails', 'failed', 'failing', 'doesnt', 'didnt', 'does', 'did',
  'wont', 'times', 'timing', 'timed', 'gets', 'get', 'got', 'trying', 'tries', 'tried', 'talking', 'connecting', 'sends',
  'sending', 'calls', 'pings', '->', '=>', '→', '⇒', '>',
  // "why can't vm-a connect to ...": the verb right after the subject.
  'connect', 'reach', 'access', 'open', 'call', 'map', 'mount', 'load', 'download', 'upload', 'query', 'read', 'talk', 'send',
  'resolve', 'browse', 'fetch', 'use', 'ssh', 'rdp',
]);
const AUXILIARIES = new Set(['is', 'was', 'are', 'still', 'keeps', 'keep', 'always', 'now', 'also', 'just', 'suddenly', 'not']);
/** Words that end the look-ahead after an endpoint. */
const STOPS = new Set([...SOURCE_BEFORE, ...DESTINATION_BEFORE, ...VIA_BEFORE, 'and', 'but', 'or']);

function wordAt(tokens: readonly Token[], index: number): string | null {
  const token = tokens[index];
  return token?.type === 'word' ? token.word : null;
}

/** The marker word before the endpoint at `index`, skipping fillers, and its position. */
function markerBefore(tokens: readonly Token[], index: number): { word: string; position: number } | null {
  for (let cursor = index - 1, skipped = 0; cursor >= 0 && skipped <= 3; cursor -= 1, skipped += 1) {
    const word = wordAt(tokens, cursor);
    if (word === null) return null;
    if (!FILLERS.has(word)) return { word, position: cursor };
  }
  return null;
}

/** "blocking 10.0.0.4 from vm-a": a blocking verb, then one endpoint, then the "from" at `position`. */
function blockedBefore(tokens: readonly Token[], position: number): boolean {
  if (tokens[position - 1]?.type !== 'endpoint') return false;
  const verb = markerBefore(tokens, position - 1);
  return verb !== null && BLOCK.has(verb.word);
}

/** True when a verb of `verbs` comes shortly before the marker at `position`, with no endpoint between. */
function verbBefore(tokens: readonly Token[], position: number, verbs: ReadonlySet<string>): boolean {
  for (let cursor = position - 1; cursor >= 0 && cursor >= position - RECEIVE_REACH; cursor -= 1) {
    const word = wordAt(tokens, cursor);
    if (word === null) return false;
    if (verbs.has(word)) return true;
  }
  return false;
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

/**
 * How sure a hint is: a word before the endpoint (3) beats a URL, a port written with it or
 * words after it (2), which beat "on B" and "gets ... from B" (1).
 */
type Strength = 0 | 1 | 2 | 3;

/** The role the words around one endpoint token give it, and how sure that is. */
function hintAt(tokens: readonly Token[], position: number, token: Extract<Token, { type: 'endpoint' }>): { role: Role | null; strength: Strength } {
  const found = markerBefore(tokens, position);
  const marker = found?.word ?? null;
  const received = found !== null && marker === 'from' && verbBefore(tokens, found.position, RECEIVE);
  const given = found !== null && marker === 'to' && verbBefore(tokens, found.position, GIVE);
  const blocked = found !== null && marker === 'from' && blockedBefore(tokens, found.position);
  if (marker !== null && SOURCE_BEFORE.has(marker) && !received && !blocked) return { role: 'source', strength: 3 };
  if (marker !== null && DESTINATION_BEFORE.has(marker) && !given) return { role: 'destination', strength: 3 };
  if (marker !== null && VIA_BEFORE.has(marker)) return { role: 'via', strength: 3 };
  // A URL, or a port written with the endpoint, is what the client asks for.
  if (token.leans === 'destination') return { role: 'destination', strength: 2 };
  const after = roleAfter(tokens, position);
  if (after !== null) return { role: after, strength: 2 };
  if (given) return { role: 'source', strength: 1 };
  if (received || blocked || (marker !== null && WEAK_DESTINATION_BEFORE.has(marker))) return { role: 'destination', strength: 1 };
  return { role: null, strength: 0 };
}

/** The role of each endpoint token (by endpoint index), or a conflict to ask about. */
export function assignRoles(tokens: readonly Token[], endpointCount: number):
  { kind: 'roles'; roles: Array<Role | null> } | { kind: 'conflict'; indexes: number[] } {
  const roles: Array<Role | null> = new Array<Role | null>(endpointCount).fill(null);
  const strengths: Strength[] = new Array<Strength>(endpointCount).fill(0);
  const firstSeen: number[] = new Array<number>(endpointCount).fill(Number.MAX_SAFE_INTEGER);
  const setBy: Array<number | undefined> = new Array<number | undefined>(endpointCount).fill(undefined);
  tokens.forEach((token, position) => {
    if (token.type !== 'endpoint') return;
    firstSeen[token.index] = Math.min(firstSeen[token.index] ?? position, position);
    const hint = hintAt(tokens, position, token);
    // "from vm-a to 10.0.0.4" where 10.0.0.4 is vm-a: both ends, so the caller can say so.
    const own = token.mention ?? token.index;
    const earlier = setBy[token.index] ?? token.index;
    if (hint.strength === 3 && strengths[token.index] === 3 && hint.role !== roles[token.index] && own !== earlier) {
      // Give each mention its own role: the one that is not the group's index takes its role there.
      const [moved, role] = own !== token.index ? [own, hint.role] : [earlier, roles[token.index] ?? null];
      if (own === token.index) roles[token.index] = hint.role;
      roles[moved] = role;
      strengths[moved] = 3;
      firstSeen[moved] = position;
      return;
    }
    // The same endpoint twice ("kv-prod.vault.azure.net (kv-prod)"): the surest hint wins, else the first.
    if (hint.strength > (strengths[token.index] ?? 0)) {
      setBy[token.index] = own;
      roles[token.index] = hint.role;
      strengths[token.index] = hint.strength;
    }
  });
  for (const role of ['source', 'destination'] as const) {
    const holders = roles.flatMap((candidate, index) => (candidate === role ? [index] : []));
    if (holders.length > 1) {
      const surest = Math.max(...holders.map((index) => strengths[index] ?? 0));
      const surestHolders = holders.filter((index) => strengths[index] === surest);
      // A surer hint for one endpoint beats weaker ones for the others.
      if (surestHolders.length === 1) {
        for (const index of holders) if (strengths[index] !== surest) roles[index] = null;
      } else {
        return { kind: 'conflict', indexes: holders };
      }
    }
  }
  // In the order they are written, not the order they were found (addresses are found before names).
  // Only endpoints that appear: one written several ways ("vm-a (10.0.0.4)") appears under its first index.
  const unplaced = roles.flatMap((role, index) => (role === null && (firstSeen[index] ?? Number.MAX_SAFE_INTEGER) < Number.MAX_SAFE_INTEGER ? [index] : []))
    .sort((left, right) => (firstSeen[left] ?? 0) - (firstSeen[right] ?? 0) || left - right);
  for (const index of unplaced) {
    if (!roles.includes('source') && (roles.includes('destination') || unplaced.length > 1)) roles[index] = 'source';
    else if (!roles.includes('destination')) roles[index] = 'destination';
  }
  return { kind: 'roles', roles };
}
