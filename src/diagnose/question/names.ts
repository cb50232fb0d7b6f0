/**
 * Resource names in a question, resolved against the estate the user may
 * investigate. Text only ever selects a known name; it never becomes one.
 */

/** A resource of the estate the user may investigate. */
export interface KnownName {
  name: string;
  /** 'virtualMachine' | 'keyVault' | 'webApp' | 'privateEndpoint' | 'virtualNetwork' | 'subnet' | 'networkInterface' | 'azureFirewall' | ... */
  kind: string;
  resourceId: string;
  ips: string[];
}

/** A known name found in the text. */
export interface NameMatch { start: number; end: number; known: KnownName; port: number | null; portText: string | null }

/**
 * An FQDN found in the text: resolved when a known resource answers to it; otherwise
 * `typo` when it looks like a misspelt known resource (asked about), else an external host.
 */
export interface FqdnMatch { start: number; end: number; fqdn: string; known: KnownName | null; label: string; typo: boolean }

/** A phrase that names a kind of resource ("the app service") rather than a resource. */
export interface KindPhraseMatch { start: number; end: number; phrase: string; kinds: string[] }

const NAME_CHARACTER = /[\p{L}\p{N}_-]/u;

/**
 * Words that are vocabulary of questions: a resource that happens to carry one of
 * these names is found only where the text cannot mean the word.
 */
const VOCABULARY = new Set([
  'a', 'an', 'and', 'app', 'at', 'can', 'cannot', 'connect', 'dns', 'down', 'firewall', 'for', 'from', 'host', 'http', 'https',
  'in', 'is', 'it', 'ldap', 'my', 'not', 'of', 'on', 'ping', 'port', 'rdp', 'reach', 'server', 'service', 'since', 'sql', 'ssh',
  'tcp', 'test', 'the', 'to', 'today', 'udp', 'vault', 'vm', 'web', 'why', 'yesterday',
]);

/** Azure service domains and the kinds of resource whose name is their first label. */
const SERVICE_DOMAINS: Array<{ suffix: string; kinds: string[] }> = [
  { suffix: '.vault.azure.net', kinds: ['keyVault'] },
  { suffix: '.vaultcore.azure.net', kinds: ['keyVault'] },
  { suffix: '.azurewebsites.net', kinds: ['webApp', 'functionApp'] },
  { suffix: '.blob.core.windows.net', kinds: ['storageAccount'] },
  { suffix: '.file.core.windows.net', kinds: ['storageAccount'] },
  { suffix: '.queue.core.windows.net', kinds: ['storageAccount'] },
  { suffix: '.table.core.windows.net', kinds: ['storageAccount'] },
  { suffix: '.dfs.core.windows.net', kinds: ['storageAccount'] },
  { suffix: '.web.core.windows.net', kinds: ['storageAccount'] },
  { suffix: '.database.windows.net', kinds: ['sqlServer'] },
  { suffix: '.redis.cache.windows.net', kinds: ['redisCache'] },
  { suffix: '.servicebus.windows.net', kinds: ['serviceBus'] },
  { suffix: '.azurecr.io', kinds: ['containerRegistry'] },
  { suffix: '.documents.azure.com', kinds: ['cosmosDb'] },
  { suffix: '.mysql.database.azure.com', kinds: ['mysqlServer'] },
  { suffix: '.postgres.database.azure.com', kinds: ['postgresServer'] },
];

/** Phrases naming a kind of resource, and the kinds they mean. */
const KIND_PHRASES: Array<{ pattern: RegExp; kinds: string[] }> = [
  { pattern: /\b(?:app ?services?|web ?apps?|function ?apps?|webapp)\b/gu, kinds: ['webApp', 'functionApp'] },
  { pattern: /\b(?:key ?vaults?|the vault)\b/gu, kinds: ['keyVault'] },
  { pattern: /\bstorage accounts?\b/gu, kinds: ['storageAccount'] },
];

/** Lower-cases each code point on its own, so positions stay aligned with the text. */
export function lowerSameLength(text: string): string {
  let lower = '';
  for (const character of text) {
    const candidate = character.toLowerCase();
    lower += candidate.length === character.length ? candidate : character;
  }
  return lower;
}

function isBoundaryBefore(text: string, start: number): boolean {
  if (start === 0) return true;
  const previous = text[start - 1] ?? '';
  return !NAME_CHARACTER.test(previous) && previous !== '.';
}

function isBoundaryAfter(text: string, end: number): boolean {
  const next = text[end] ?? '';
  if (NAME_CHARACTER.test(next)) return false;
  // "vm-app01." ends a sentence; "vm-app01.contoso.local" is an FQDN.
  return !(next === '.' && NAME_CHARACTER.test(text[end + 1] ?? ''));
}

/** A ":3389" right after a name or an address. */
export function portSuffix(text: string, end: number): { port: number; text: string; length: number } | null {
  const match = /^:(\d{1,6})(?![\d:.])/.exec(text.slice(end, end + 8));
  return match?.[1] ? { port: Number(match[1]), text: match[1], length: match[0].length } : null;
}

/** Every occurrence of a known name in `lower` (the lower-cased text), longest names first, no overlaps. */
export function findKnownNames(lower: string, names: readonly KnownName[]): NameMatch[] {
  const sorted = [...names].filter((known) => known.name.length > 0).sort((a, b) => b.name.length - a.name.length);
  const taken: boolean[] = new Array<boolean>(lower.length).fill(false);
  const matches: NameMatch[] = [];
  for (const known of sorted) {
    const needle = lowerSameLength(known.name);
    if (VOCABULARY.has(needle)) continue;
    let from = 0;
    for (let start = lower.indexOf(needle, from); start !== -1; start = lower.indexOf(needle, from)) {
      const end = start + needle.length;
      from = start + 1;
      if (!isBoundaryBefore(lower, start) || !isBoundaryAfter(lower, end)) continue;
      if (taken.slice(start, end).some(Boolean)) continue;
      const suffix = portSuffix(lower, end);
      const spanEnd = end + (suffix?.length ?? 0);
      taken.fill(true, start, spanEnd);
      matches.push({ start, end: spanEnd, known, port: suffix?.port ?? null, portText: suffix?.text ?? null });
    }
  }
  return matches.sort((a, b) => a.start - b.start);
}

const FQDN = /(?<![\p{L}\p{N}_.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9](?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])/gu;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Endings of file names and tool names that look like a last DNS label ("chain.pem", "node.js"). */
const NOT_HOST_ENDINGS = new Set([
  'js', 'ts', 'py', 'txt', 'log', 'json', 'xml', 'yaml', 'yml', 'csv', 'pcap', 'pcapng', 'cap', 'etl', 'exe', 'dll', 'ps1',
  'sh', 'md', 'htm', 'cer', 'crt', 'pem', 'pfx', 'p12', 'key', 'zip', 'gz', 'conf', 'cfg', 'ini', 'msi', 'bat', 'cmd', 'jar',
  'war', 'har', 'png', 'jpg', 'pdf', 'docx', 'xlsx',
]);

/**
 * True for a syntactically valid DNS host name in lower case: ASCII letters, digits and
 * hyphens in labels of 1-63 characters, at least two labels, 253 characters at most, a last
 * label that starts with a letter. Look-alike letters from other scripts never pass.
 */
export function isDnsName(text: string): boolean {
  if (text.length === 0 || text.length > 253) return false;
  const labels = text.split('.');
  const last = labels.at(-1) ?? '';
  return labels.length >= 2 && labels.every((label) => DNS_LABEL.test(label)) && /^[a-z]/.test(last) && !NOT_HOST_ENDINGS.has(last);
}

/** The Azure service domain an FQDN belongs to (public or privatelink form), if any. */
function serviceDomainOf(fqdn: string): { suffix: string; kinds: string[] } | undefined {
  return SERVICE_DOMAINS.find(({ suffix }) => fqdn.endsWith(suffix));
}

/** The known resource an FQDN names: the whole name, else its first label (in an Azure service domain, of the matching kind). */
export function resolveFqdn(fqdn: string, names: readonly KnownName[]): KnownName | null {
  const byName = (name: string, kinds: string[] | null) => {
    const matching = names.filter((known) => lowerSameLength(known.name) === name);
    return matching.find((known) => kinds === null || kinds.includes(known.kind)) ?? matching[0] ?? null;
  };
  const whole = byName(fqdn, null);
  if (whole) return whole;
  const domain = serviceDomainOf(fqdn);
  const labels = fqdn.split('.');
  // "kv-prod.privatelink.vaultcore.azure.net" and "app-x.scm.azurewebsites.net" name kv-prod and app-x.
  const label = labels[0] ?? '';
  return byName(label, domain?.kinds ?? null);
}

/**
 * True when an unresolved FQDN looks like a misspelt resource of the estate: its first label
 * is close to a known name (of the service's kind, in an Azure service domain; elsewhere
 * only a resource-like label with letters and digits, "vm-app1.contoso.local").
 */
function looksLikeTypo(fqdn: string, label: string, names: readonly KnownName[]): boolean {
  const domain = serviceDomainOf(fqdn);
  const candidates = domain ? names.filter((known) => domain.kinds.includes(known.kind)) : names;
  if (!domain && !(/[a-z]/.test(label) && /\d/.test(label) && label.length >= 4)) return false;
  return candidates.some((known) => closeEnough(label, editDistance(label.slice(0, 80), known.name)));
}

/** Every FQDN in `lower`, resolved where possible; text that is no valid DNS name is skipped. */
export function findFqdns(lower: string, names: readonly KnownName[]): FqdnMatch[] {
  const matches: FqdnMatch[] = [];
  for (const match of lower.matchAll(FQDN)) {
    const fqdn = match[0];
    if (!isDnsName(fqdn)) continue;
    const label = fqdn.split('.')[0] ?? fqdn;
    const known = resolveFqdn(fqdn, names);
    matches.push({ start: match.index, end: match.index + fqdn.length, fqdn, known, label, typo: known === null && looksLikeTypo(fqdn, label, names) });
  }
  return matches;
}

/** Every phrase naming a kind of resource in `lower`. */
export function findKindPhrases(lower: string): KindPhraseMatch[] {
  return KIND_PHRASES.flatMap(({ pattern, kinds }) =>
    [...lower.matchAll(pattern)].map((match) => ({ start: match.index, end: match.index + match[0].length, phrase: match[0], kinds })))
    .sort((a, b) => a.start - b.start);
}

/** Edit distance (insertions, deletions, substitutions, adjacent transpositions), case-insensitive. */
export function editDistance(left: string, right: string): number {
  const a = [...lowerSameLength(left)];
  const b = [...lowerSameLength(right)];
  let previousPrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (previousPrevious[j - 2] ?? 0) + 1);
      current.push(best);
    }
    previousPrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** How far a name may be from the text to count as a close match. */
export function closeEnough(query: string, distance: number): boolean {
  return distance <= Math.max(2, Math.floor([...query].length / 3));
}

/**
 * The known names closest to `query`, best first, at most `limit`. Only close matches
 * when there are any; otherwise the closest ones anyway when `fallback` is set.
 */
export function closestNames(query: string, names: readonly KnownName[], limit = 5, fallback = true): string[] {
  // Long text is not a name: compare a bounded prefix so a pasted log line costs little.
  const bounded = query.slice(0, 80);
  const scored = [...new Set(names.map((known) => known.name))]
    .map((name) => ({ name, distance: editDistance(bounded, name) }))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name));
  const close = scored.filter(({ distance }) => closeEnough(bounded, distance));
  return (close.length > 0 ? close : fallback ? scored : []).slice(0, limit).map(({ name }) => name);
}
