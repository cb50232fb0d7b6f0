/**
 * The deterministic question parser: a chat message -> the flow to investigate
 * (source, destination, protocol, port, time window), or a clarification to ask.
 * No LLM. Never throws on user text; an endpoint is always a validated IP or
 * prefix, a resource of `context.names`, or (a destination only) a host name that
 * passed `isDnsName`, so user text never reaches a query unvalidated.
 *
 * Choices (see also question/time.ts for times, question/services.ts for ports):
 * - Order of reading: URLs, IP addresses, FQDNs, known names, "the app service"-style
 *   phrases, times, ports and services; each consumed part is masked for the next.
 * - Only a destination that is a PaaS resource (Key Vault, storage, App Service, SQL...)
 *   may come without a source: its own logs name every caller. Otherwise a missing
 *   source, like a missing destination, is asked for, never guessed.
 * - "the app service" resolves when the estate has exactly one; with several it is asked about.
 * - An IP address of a known resource is that resource (a VM before its NIC, a vault
 *   before its private endpoint). A PaaS resource named without an address has no `ip`:
 *   which address the client reaches (public or private endpoint) is for the evidence to say.
 * - An FQDN is a host name: it resolves to the resource it names (whole, or its first label
 *   in an Azure service domain: `<account>.blob.core.windows.net` is the storage account);
 *   otherwise it is an external host (`ip` null, `fqdn` set), allowed as the destination only
 *   (a source needs an address the logs can show). One close to a known name is asked about.
 * - Parentheses after an endpoint name the same endpoint ("https://api.example (vm-api01, 10.22.2.4)"):
 *   one endpoint, the resource named, the address in parentheses pinned, the FQDN kept;
 *   parts that disagree ("vm-web01 (an address of vm-app01)") are asked about.
 * - "can ping A but https://A times out": the service of the failing clause is the question.
 * - An HTTP status ("HTTP 403", "gets 403") is not the HTTP service; from an HTTPS-only PaaS
 *   resource it means HTTPS. A key vault answers HTTPS only. A certificate error means TLS
 *   (443 when nothing else says).
 * - "..., vm-app01 is fine": an endpoint alone in a clause that says it works is a comparison.
 * - "it worked yesterday" says when it worked, not which window to look at.
 * - A port without a protocol is TCP, except the well-known UDP ports (53, 123).
 *   Protocol `any` and port null when nothing says; ping is ICMP (ICMPv6 between IPv6 addresses).
 * - A follow-up ("and on 443?", "what about yesterday?", "and from 10.0.0.9?") starts with
 *   and / also / what about / how about, or lacks an endpoint; it keeps what it does not change
 *   from the previous question: endpoints, port and protocol, window.
 */
import { z } from 'zod';
import { isIP } from 'node:net';
import { UserInputError } from '../domain/errors.js';
import { FlowEndpointSchema, QuestionSchema } from '../domain/verdict.js';
import type { Protocol } from '../domain/vocabulary.js';
import { canonicalIp, findAddresses } from './question/ip.js';
import {
  closeEnough, closestNames, editDistance, findFqdns, findKindPhrases, findKnownNames, isDnsName, lowerSameLength, portSuffix,
  type KnownName,
} from './question/names.js';
import { assignRoles, FILLERS, type Role, type Token } from './question/roles.js';
import { findServices, mask, SERVICE_BY_PORT, type Service } from './question/services.js';
import { readWindow } from './question/time.js';
import { ianaZone, UTC_ZONE, type Zone } from './question/zoned.js';

export type { KnownName } from './question/names.js';
export { isDnsName } from './question/names.js';
export { POINT_MARGIN_IN_MINUTES } from './question/time.js';

/** The longest question read; longer text is not a question but a paste. */
export const MAX_QUESTION_LENGTH = 4000;

/** One end of the flow as understood: the contract's endpoint plus what the parser knows of it. */
export const ParsedEndpointSchema = FlowEndpointSchema.extend({
  /** The resource kind of a known name ('virtualMachine', 'keyVault', ...). */
  kind: z.string().nullable(),
  /** The FQDN the question used for it (`kv-prod.vault.azure.net`); with `name` null, an external host. */
  fqdn: z.string().nullable(),
  /** A CIDR the question gave instead of one address (`ip` is then null). */
  prefix: z.string().nullable(),
});
export type ParsedEndpoint = z.infer<typeof ParsedEndpointSchema>;

/** The question as understood: the Verdict's `question` plus what the parser understood. */
export const ParsedQuestionSchema = QuestionSchema.extend({
  source: ParsedEndpointSchema,
  destination: ParsedEndpointSchema,
  /** The service named or implied by the port ('RDP', 'HTTPS'), null when none. */
  serviceName: z.string().nullable(),
  /** The zone wall-clock times were read in (IANA name or `+02:00`). */
  timeZone: z.string(),
  /** Endpoints the question says the flow passes ("via fw-hub"). */
  via: z.array(ParsedEndpointSchema),
  /** True when the question continued the previous one. */
  followUp: z.boolean(),
  /** What the parser assumed, in words, so the answer can say so. */
  assumptions: z.array(z.string()),
});
export type ParsedQuestion = z.infer<typeof ParsedQuestionSchema>;

/** What the parser needs from the conversation. */
export interface ParseContext {
  /** The injected clock (the lab scenario's `now`, or real time). */
  now: Date;
  /** IANA zone: configured (NETPROOF_TIMEZONE), else the Teams client's, else UTC. */
  timeZone?: string;
  /** Resources of the estate the user may investigate (for resolution and "closest matches"). */
  names: KnownName[];
  /** The previous question of this conversation, which a follow-up continues. */
  previous?: ParsedQuestion;
  /** The window when no time is given (default 60: the last hour). */
  defaultWindowInMinutes?: number;
}

/** A question, or what to ask the user. */
export type ParseOutcome =
  | { kind: 'question'; question: ParsedQuestion }
  | { kind: 'clarify'; code: string; message: string; candidates: string[] };

/** Kinds whose own logs name every caller, so a question about them needs no source. */
export const PAAS_KINDS: ReadonlySet<string> = new Set([
  'keyVault', 'storageAccount', 'webApp', 'functionApp', 'sqlServer', 'redisCache', 'serviceBus', 'containerRegistry',
  'cosmosDb', 'mysqlServer', 'postgresServer',
]);

/** When one IP belongs to several resources, the one the user most likely means comes first. */
const KIND_PREFERENCE = ['virtualMachine', 'webApp', 'functionApp', 'keyVault', 'storageAccount', 'sqlServer'];
const KIND_LAST = ['azureFirewall', 'privateEndpoint', 'networkInterface', 'subnet', 'virtualNetwork'];
/** PaaS kinds that answer HTTPS only: an HTTP status from one of them is an HTTPS answer. */
const HTTPS_KINDS: ReadonlySet<string> = new Set(['keyVault', 'storageAccount', 'webApp', 'functionApp', 'containerRegistry', 'cosmosDb']);

const DEFAULT_WINDOW_IN_MINUTES = 60;
const FOLLOW_UP = /^\s*(?:and|also|what about|how about|same|and what about|ok(?:ay)?,? (?:and|what about))\b/u;
const URL = /\b(?<scheme>https?|ldaps?|ssh|rdp|ftp):\/\/(?:[^\s@/]*@)?(?<host>\[[0-9a-f:.]+\]|[^\s/?#:[\]]+)(?::(?<port>\d{1,6}))?(?<path>[/?#]\S*)?/gu;
const NAME_SHAPED = /(?<![\p{L}\p{N}_.-])[\p{L}\p{N}][\p{L}\p{N}_.-]*[\p{L}\p{N}](?![\p{L}\p{N}_-])/gu;
const WORD_TOKENS = /->|=>|[→⇒>]|[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;
const NOT_NAMES = new Set(['ipv4', 'ipv6', 'http2', 'http3', 'tls1.2', 'tls1.3', 'tls1.0', 'tls1.1', 'x64', 'x86', 'e.g', 'i.e', '24h', '2fa', 'mfa']);
/** "HTTP 403", "http status 502": a status code, so the word is not the HTTP service. */
const HTTP_STATUS = /\bhttps?\s*(?:status\s*)?(?:code\s*)?(?=[1-5]\d\d\b)/gu;
/** A status code the question reports ("gets 403", "a 503 error", "403 forbidden"). */
const STATUS_REPORTED = /\b(?:https?|status|code|gets?|got|getting|returns?|returned|returning|receives?|received|an?|with|throws?|throwing)\s+(?:an?\s+)?[1-5]\d\d\b|\b[1-5]\d\d\s+(?:forbidden|unauthori[sz]ed|not found|errors?|bad gateway|service unavailable|gateway time-?out|internal server error|response)\b/u;
/** "it worked yesterday": when it last worked, not the window asked about. */
const WORKED_WHEN = /\b(?:worked|was working|were working|was fine|were fine|used to work|was ok(?:ay)?)(?:\s+(?:fine|ok|okay|well|normally|perfectly))?\s+(?:yesterday(?:\s+(?:morning|afternoon|evening))?|last\s+(?:week|night|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|earlier)\b/gu;
/** Sentence and clause breaks for comparisons ("..., vm-app01 is fine."). */
const SENTENCE_BREAK = /[.?!;,](?=\s|$)|\b(?:but|yet|while|whereas|although|though|however)\b/gu;
/** Clause breaks: "can ping A but https://A times out". */
const CLAUSE_BREAK = /\b(?:but|yet|while|whereas|although|though|however)\b|[;]/gu;
/** Words of a clause that reports something working. */
const WORKING = /\b(?:can|could|works?|working|worked|fine|ok|okay|succeeds?|succeeded|successful|responds?|answers?|loads?|up)\b/u;
/** A clause saying an endpoint works ("vm-app01 is fine", "vm-app02 works", "office PCs can"). */
const COMPARISON = /\b(?:is|are|seems?|looks?)\s+(?:fine|ok|okay|working|good|healthy|unaffected)\b|\b(?:works|work fine|worked|is working|are working|are fine|can)\s*$/u;
/** Words of a clause that reports the failure. */
const FAILING = /\b(?:cant|cannot|can't|not|no|fails?|failing|failed|failure|times? out|timing out|timed out|timeouts?|refused|refuses|errors?|unreachable|doesn'?t|don'?t|won'?t|didn'?t|isn'?t|broken|hangs?|drops?|reset|denied|blocked|403|5\d\d)\b/u;

/** Something in the text that may be an endpoint. */
interface Mention {
  start: number;
  end: number;
  /** The text as written (for messages only; never an endpoint). */
  text: string;
  endpoint: ParsedEndpoint | null;
  /** When unresolved: what to compare with the known names. */
  query: string;
  /** For a kind phrase with several matches: the names to choose from. */
  choices: string[] | null;
  /** How it was written: an address pins its IP; a URL host leans to the destination. */
  form: 'address' | 'fqdn' | 'name' | 'kind' | 'word';
  /** Set for the host of a URL. */
  url: boolean;
  /** Set when a port was written with it ("10.62.1.4:1433"). */
  withPort?: boolean;
  /** Where the written form ends (after a URL's path): parentheses that follow describe it. */
  after: number;
}

/** Most choices a clarification lists. */
export const MAX_CANDIDATES = 5;

function clarify(code: string, message: string, candidates: string[] = []): ParseOutcome {
  return { kind: 'clarify', code, message, candidates: [...new Set(candidates)].slice(0, MAX_CANDIDATES) };
}

/** The UserInputError (exit 2, with candidates) for a clarification. */
export function clarificationError(outcome: Extract<ParseOutcome, { kind: 'clarify' }>): UserInputError {
  return new UserInputError(outcome.code, outcome.message, outcome.candidates);
}

function validIps(known: KnownName): string[] {
  return known.ips.filter((ip) => isIP(ip) !== 0).map(canonicalIp);
}

function endpointOf(known: KnownName, fqdn: string | null = null): ParsedEndpoint {
  // A PaaS resource is reached at whatever its name resolves to: no address is assumed.
  const ip = PAAS_KINDS.has(known.kind) ? null : (validIps(known)[0] ?? null);
  return { ip, name: known.name, resourceId: known.resourceId, kind: known.kind, fqdn, prefix: null };
}

function kindRank(kind: string): number {
  const preferred = KIND_PREFERENCE.indexOf(kind);
  if (preferred !== -1) return preferred;
  const last = KIND_LAST.indexOf(kind);
  return last === -1 ? KIND_PREFERENCE.length : KIND_PREFERENCE.length + 1 + last;
}

function endpointOfIp(ip: string, names: readonly KnownName[]): ParsedEndpoint {
  const owners = names.filter((known) => validIps(known).includes(ip))
    .sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || a.name.localeCompare(b.name));
  const owner = owners[0];
  return owner
    ? { ip, name: owner.name, resourceId: owner.resourceId, kind: owner.kind, fqdn: null, prefix: null }
    : { ip, name: null, resourceId: null, kind: null, fqdn: null, prefix: null };
}

function display(mention: Mention): string {
  return mention.endpoint?.name ?? mention.endpoint?.ip ?? mention.endpoint?.prefix ?? mention.endpoint?.fqdn ?? mention.text;
}

function displayEndpoint(endpoint: ParsedEndpoint): string {
  return endpoint.name ?? endpoint.ip ?? endpoint.prefix ?? endpoint.fqdn ?? '';
}

function identity(endpoint: ParsedEndpoint): string {
  return endpoint.resourceId ?? endpoint.ip ?? endpoint.prefix ?? (endpoint.fqdn === null ? '' : `fqdn:${endpoint.fqdn}`);
}

const EMPTY_ENDPOINT: ParsedEndpoint = { ip: null, name: null, resourceId: null, kind: null, fqdn: null, prefix: null };

function isEmpty(endpoint: ParsedEndpoint): boolean {
  return endpoint.ip === null && endpoint.name === null && endpoint.resourceId === null && endpoint.prefix === null && endpoint.fqdn === null;
}

/** An external host: only a validated DNS name ever becomes one. */
function externalHost(fqdn: string): ParsedEndpoint | null {
  return isDnsName(fqdn) ? { ...EMPTY_ENDPOINT, fqdn } : null;
}

/** Cleans chat text: NFKC, Teams mentions, control and zero-width characters, typographic quotes. */
function normalise(text: string): string {
  return text.normalize('NFKC')
    .replace(/<at>[^<]{0,200}<\/at>/giu, ' ')
    .replace(/(?<![\p{L}\p{N}])@(?=\p{L})[\p{L}\p{N}_.-]*/gu, ' ')
    .replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/gu, '')
    .replace(/[\p{Cc}\u2028\u2029]/gu, ' ')
    .replace(/[‘’`´]/gu, "'");
}

/** Parses a question; returns a clarification instead when it cannot be used as it is. */
export function parseQuestion(text: string, context: ParseContext): ParseOutcome {
  const input = typeof text === 'string' ? text : '';
  if (input.length > MAX_QUESTION_LENGTH) {
    return clarify('question.too-long', `A question is at most ${MAX_QUESTION_LENGTH} characters; ask about one flow, e.g. "why can't 10.0.0.4 reach vm-app01 on 443?"`);
  }
  const normalised = normalise(input);
  if (normalised.trim() === '') return clarify('question.empty', 'Ask about one flow, e.g. "why can\'t 10.0.0.4 reach vm-app01 on 443?"');
  const names = context.names;
  const nowInMs = context.now.getTime();
  if (!Number.isFinite(nowInMs)) throw new RangeError('parseQuestion: context.now is not a valid date');
  const assumptions: string[] = [];
  let zone: Zone = UTC_ZONE;
  if (context.timeZone) {
    const configured = ianaZone(context.timeZone);
    if (configured) zone = configured;
    else assumptions.push(`time zone "${context.timeZone}" is unknown: times read as UTC`);
  }

  let lower = lowerSameLength(normalised);
  const mentions: Mention[] = [];
  const explicitPorts: Array<{ port: number; text: string }> = [];
  const services: Array<{ service: Service; at: number }> = [];
  const removed: Array<{ start: number; end: number }> = [];
  const urlHosts: Array<{ start: number; end: number; after: number }> = [];
  const addMention = (mention: Omit<Mention, 'url' | 'after'>) => {
    const host = urlHosts.find(({ start }) => start === mention.start);
    mentions.push({ ...mention, url: host !== undefined, after: host?.after ?? mention.end });
    lower = mask(lower, mention.start, mention.end);
  };
  const addPort = (port: number | null, portText: string | null): ParseOutcome | null => {
    if (port === null || portText === null) return null;
    if (port < 1 || port > 65535) return clarify('question.invalid-port', `Port ${portText} is not a valid port (1-65535).`);
    explicitPorts.push({ port, text: portText });
    return null;
  };

  // URLs: the scheme names the service, the host is read below, the path is not part of the flow.
  for (const match of lower.matchAll(URL)) {
    const groups = match.groups ?? {};
    const scheme = groups.scheme ?? '';
    const schemeEnd = match.index + scheme.length + 3;
    const service = findServices(scheme).find((found) => found.type === 'service');
    if (service?.type === 'service') services.push({ service: service.service, at: match.index });
    const hostStart = lower.indexOf(groups.host ?? '', schemeEnd);
    const hostEnd = hostStart + (groups.host ?? '').length;
    urlHosts.push({ start: hostStart, end: hostEnd, after: match.index + match[0].length });
    const problem = addPort(groups.port === undefined ? null : Number(groups.port), groups.port ?? null);
    if (problem) return problem;
    removed.push({ start: match.index, end: hostStart }, { start: hostEnd, end: match.index + match[0].length });
    lower = mask(lower, match.index, hostStart);
    lower = mask(lower, hostEnd, match.index + match[0].length);
  }

  for (const address of findAddresses(lower)) {
    if (address.type === 'invalid') {
      return clarify('question.invalid-address', `${address.reason}; give the address as four numbers 0-255 (e.g. 10.0.0.4), an IPv6 address, or a resource name.`);
    }
    const endpoint = address.type === 'address'
      ? endpointOfIp(address.ip, names)
      : { ...EMPTY_ENDPOINT, prefix: address.prefix };
    addMention({
      start: address.start, end: address.end, text: normalised.slice(address.start, address.end), endpoint, query: '', choices: null, form: 'address',
      withPort: address.type === 'address' && address.port !== null,
    });
    if (address.type === 'address') {
      const problem = addPort(address.port, address.portText);
      if (problem) return problem;
    }
  }

  for (const fqdn of findFqdns(lower, names)) {
    const suffix = portSuffix(lower, fqdn.end);
    const end = fqdn.end + (suffix?.length ?? 0);
    const endpoint = fqdn.known ? endpointOf(fqdn.known, fqdn.fqdn) : fqdn.typo ? null : externalHost(fqdn.fqdn);
    addMention({ start: fqdn.start, end, text: fqdn.fqdn, endpoint, query: fqdn.label, choices: null, form: 'fqdn', withPort: suffix !== null });
    const problem = addPort(suffix?.port ?? null, suffix?.text ?? null);
    if (problem) return problem;
  }

  for (const found of findKnownNames(lower, names)) {
    addMention({ start: found.start, end: found.end, text: found.known.name, endpoint: endpointOf(found.known), query: '', choices: null, form: 'name', withPort: found.port !== null });
    const problem = addPort(found.port, found.portText);
    if (problem) return problem;
  }

  for (const phrase of findKindPhrases(lower)) {
    const ofKind = names.filter((known) => phrase.kinds.includes(known.kind));
    // "the key vault kv-prod": the phrase describes a resource already named.
    const described = mentions.some((mention) => mention.endpoint?.kind !== null && phrase.kinds.includes(mention.endpoint?.kind ?? ''));
    if (described) {
      removed.push({ start: phrase.start, end: phrase.end });
      lower = mask(lower, phrase.start, phrase.end);
      continue;
    }
    const only = ofKind.length === 1 ? ofKind[0] : undefined;
    addMention({
      start: phrase.start, end: phrase.end, text: phrase.phrase,
      endpoint: only ? endpointOf(only) : null, query: phrase.phrase,
      choices: ofKind.length > 1 ? ofKind.map((known) => known.name).sort() : [], form: 'kind',
    });
  }

  for (const match of lower.matchAll(WORKED_WHEN)) {
    removed.push({ start: match.index, end: match.index + match[0].length });
    lower = mask(lower, match.index, match.index + match[0].length);
  }
  const time = readWindow(lower, normalised, { nowInMs, zone, defaultWindowInMinutes: context.defaultWindowInMinutes ?? DEFAULT_WINDOW_IN_MINUTES });
  for (const span of time.spans) {
    removed.push(span);
    lower = mask(lower, span.start, span.end);
  }
  if (time.kind === 'clarify') return clarify(time.code, time.message, time.candidates);

  const statusReported = STATUS_REPORTED.test(lower);
  for (const match of lower.matchAll(HTTP_STATUS)) {
    removed.push({ start: match.index, end: match.index + match[0].length });
    lower = mask(lower, match.index, match.index + match[0].length);
  }
  let protocolWord: 'tcp' | 'udp' | 'icmp' | null = null;
  for (const found of findServices(lower)) {
    if (found.type === 'invalid-port') return clarify('question.invalid-port', `Port ${found.port} is not a valid port (1-65535).`);
    if (found.type === 'service') {
      services.push({ service: found.service, at: found.start });
      continue;
    }
    removed.push({ start: found.start, end: found.end });
    lower = mask(lower, found.start, found.end);
    if (found.type === 'port') {
      explicitPorts.push({ port: found.port, text: String(found.port) });
      protocolWord ??= found.protocol;
    } else {
      protocolWord ??= found.protocol;
    }
  }

  // Name-shaped words no known name matched: "vm-app1", "kv-prd", a look-alike "vm-аpp01".
  for (const match of lower.matchAll(NAME_SHAPED)) {
    const word = match[0];
    if (word.length < 3 || NOT_NAMES.has(word) || /^[\d.]+$/u.test(word)) continue;
    const mixed = /\p{L}/u.test(word) && /\p{N}/u.test(word);
    const nonAscii = /[^\p{ASCII}]/u.test(word) && /[a-z]/u.test(word);
    const close = names.some((known) => closeEnough(word, editDistance(word.slice(0, 80), known.name)));
    if (!(mixed || nonAscii || (close && /[-_.]/u.test(word)))) continue;
    addMention({ start: match.index, end: match.index + word.length, text: word, endpoint: null, query: word, choices: null, form: 'word' });
  }

  const tokens = tokenise(normalised, lower, mentions, removed, names);
  if (tokens.added.length > 0) mentions.push(...tokens.added);
  const contradiction = mergeParentheticals(mentions, normalised, names);
  if (contradiction) {
    return clarify('question.ambiguous-endpoints', `${contradiction.map(display).join(' and ')} are not the same resource; which one do you mean?`,
      contradiction.map(display));
  }

  // One endpoint per resource: "kv-prod.vault.azure.net (kv-prod)" is one.
  const groups: number[] = mentions.map((_, index) => index);
  mentions.forEach((mention, index) => {
    if (!mention.endpoint) return;
    const first = mentions.findIndex((other) => other.endpoint !== null && identity(other.endpoint) === identity(mention.endpoint as ParsedEndpoint));
    if (first !== -1 && first < index) groups[index] = first;
  });
  const aside = comparisons(mentions, groups, lower);
  for (const index of aside) assumptions.push(`${display(mentions[index] as Mention)} works: a comparison, not an end of the flow`);
  const groupTokens: Token[] = tokens.tokens.flatMap((token): Token[] => {
    if (token.type !== 'endpoint') return [token];
    const group = groups[token.index] ?? token.index;
    if (aside.has(group)) return [];
    const leans = mentions[token.index]?.url || mentions[token.index]?.withPort;
    return [{ type: 'endpoint', index: group, mention: token.index, ...(leans ? { leans: 'destination' as const } : {}) }];
  });
  const assignment = assignRoles(groupTokens, mentions.length);
  if (assignment.kind === 'conflict') {
    return clarify('question.ambiguous-endpoints', 'The question names several endpoints in the same role; which is the source and which the destination? e.g. "from 10.0.0.4 to vm-app01".',
      assignment.indexes.map((index) => display(mentions[index] as Mention)));
  }
  const holder = (role: Role): Mention | undefined => {
    const index = assignment.roles.indexOf(role);
    return index === -1 ? undefined : mentions[index];
  };
  // A mention that got no role but is the only one left unresolved still counts when a role is empty.
  for (const role of ['source', 'destination'] as const) {
    const mention = holder(role);
    if (!mention || mention.endpoint) continue;
    if (mention.choices && mention.choices.length > 0) {
      return clarify('question.ambiguous-name', `There are several resources "${mention.text}" may mean; which one?`, mention.choices.slice(0, 5));
    }
    if (mention.choices) {
      return clarify('question.unknown-name', `There is no ${mention.text} in the estate you may investigate; give its name or IP address.`);
    }
    const candidates = closestNames(mention.query, names);
    return clarify('question.unknown-name',
      candidates.length > 0
        ? `I don't know "${mention.text}" in the estate you may investigate. Closest matches: ${candidates.join(', ')}.`
        : `I don't know "${mention.text}" in the estate you may investigate; give its IP address or resource name.`,
      candidates);
  }
  const via = assignment.roles.flatMap((role, index) => (role === 'via' && mentions[index]?.endpoint ? [mentions[index]?.endpoint as ParsedEndpoint] : []));
  let source = holder('source')?.endpoint ?? null;
  let destination = holder('destination')?.endpoint ?? null;

  const previous = context.previous;
  const followUp = previous !== undefined && (FOLLOW_UP.test(normalised.toLowerCase()) || source === null || destination === null);
  if (followUp && previous) {
    if (source === null && !isEmpty(previous.source)) {
      source = previous.source;
      assumptions.push('source from the previous question');
    }
    if (destination === null) {
      destination = previous.destination;
      assumptions.push('destination from the previous question');
    }
  }

  if (destination === null || isEmpty(destination)) {
    return clarify('question.missing-destination', 'Which destination? Give its IP address or resource name, e.g. "why can\'t 10.0.0.4 reach vm-app01 on 443?"');
  }
  if (source === null) {
    if (destination.kind === null || !PAAS_KINDS.has(destination.kind)) {
      return clarify('question.missing-source', `From where? Give the source IP address or resource name, e.g. "from 10.0.0.4 to ${destination.name ?? destination.ip ?? destination.prefix}".`);
    }
    assumptions.push(`no source given: any caller of ${destination.name}`);
    source = EMPTY_ENDPOINT;
  }
  if (!isEmpty(source) && identity(source) === identity(destination)) {
    return clarify('question.same-endpoint', `The source and the destination are both ${displayEndpoint(destination)}; which other end do you mean?`);
  }
  // The logs show a source by its address: a host name alone cannot be looked up there.
  for (const endpoint of [source, ...via]) {
    if (endpoint.fqdn !== null && endpoint.name === null && endpoint.ip === null) {
      return clarify('question.unknown-name', `I don't know "${endpoint.fqdn}" in the estate you may investigate; give its IP address or resource name.`);
    }
  }

  // Port, protocol and service.
  const distinctPorts = [...new Set(explicitPorts.map(({ port }) => port))];
  if (distinctPorts.length > 1) {
    return clarify('question.ambiguous-port', 'The question names more than one port; which one?', distinctPorts.map(String));
  }
  const explicitPort = distinctPorts[0] ?? null;
  const asked = servicesAsked(services, lower, explicitPort, assumptions);
  const distinctServices = asked.filter((service, index) => asked.findIndex((other) => other.name === service.name) === index);
  if (explicitPort === null && new Set(distinctServices.map((service) => `${service.port}/${service.protocol}`)).size > 1) {
    return clarify('question.ambiguous-service', 'The question names more than one service; which one?', distinctServices.map((service) => service.name));
  }
  let port: number | null;
  let protocol: Protocol;
  let serviceName: string | null;
  const service = distinctServices.find((candidate) => candidate.port === explicitPort) ?? distinctServices[0];
  const saysSomething = explicitPort !== null || service !== undefined || protocolWord !== null;
  if (!saysSomething && followUp && previous) {
    port = previous.port;
    protocol = previous.protocol;
    serviceName = previous.serviceName;
  } else {
    port = explicitPort ?? service?.port ?? null;
    if (port === null && service === undefined && protocolWord === null && destination.kind !== null
      && (destination.kind === 'keyVault' || (statusReported && HTTPS_KINDS.has(destination.kind)))) {
      port = 443;
      assumptions.push(destination.kind === 'keyVault' ? `${destination.name} is a key vault: HTTPS (443)` : `an HTTP status from ${destination.name}: HTTPS (443)`);
    }
    const portService = port === null ? undefined : SERVICE_BY_PORT.get(port);
    serviceName = service?.name ?? portService?.name ?? null;
    const serviceProtocol = service && !(service.protocol.startsWith('icmp') && explicitPort !== null) ? service.protocol : null;
    protocol = protocolWord ?? serviceProtocol ?? (port === null ? 'any' : (portService?.protocol ?? 'tcp'));
    if (protocol === 'icmp' || protocol === 'icmpv6') port = null;
  }
  if (protocol === 'icmp' && [source.ip, destination.ip].some((ip) => ip !== null && isIP(ip) === 6)) protocol = 'icmpv6';

  let window = { start: time.start, end: time.end };
  if (!time.explicit && followUp && previous) {
    window = previous.window;
    assumptions.push('time window from the previous question');
  } else {
    assumptions.push(...time.assumptions);
  }

  const question: ParsedQuestion = {
    text: input, source, destination, protocol, port, window, serviceName, timeZone: time.zone.id, via, followUp, assumptions,
  };
  return { kind: 'question', question };
}

/**
 * The services the question asks about. "can ping A but https://A times out": when clauses
 * report some services working and others failing, the failing ones. A generic "TLS" or
 * "certificate" gives way to the service named with it ("LDAPS certificate error" is LDAPS).
 */
function servicesAsked(services: ReadonlyArray<{ service: Service; at: number }>, lower: string, explicitPort: number | null, assumptions: string[]): Service[] {
  let kept = [...services];
  const names = new Set(kept.map(({ service }) => service.name));
  if (explicitPort === null && names.size > 1) {
    const breaks = [0, ...[...lower.matchAll(CLAUSE_BREAK)].map((match) => match.index), lower.length];
    const clauseOf = (at: number) => {
      const index = breaks.findIndex((position, cursor) => at >= position && at < (breaks[cursor + 1] ?? lower.length));
      return lower.slice(breaks[index] ?? 0, breaks[index + 1] ?? lower.length).replace(/'/gu, '');
    };
    const failing = kept.filter(({ at }) => FAILING.test(clauseOf(at)));
    const working = kept.filter(({ at }) => !FAILING.test(clauseOf(at)) && WORKING.test(clauseOf(at)));
    if (failing.length > 0 && working.length > 0 && failing.length + working.length === kept.length) {
      const failingNames = new Set(failing.map(({ service }) => service.name));
      const workingNames = [...new Set(working.map(({ service }) => service.name))].filter((name) => !failingNames.has(name));
      if (workingNames.length > 0) assumptions.push(`${workingNames.join(', ')} works: the question is about ${[...failingNames].join(', ')}`);
      kept = failing;
    }
  }
  const generic = kept.filter(({ service }) => service.name === 'TLS');
  const carriers = kept.filter(({ service }) => service.name !== 'TLS' && service.protocol === 'tcp');
  const chosen = generic.length > 0 && carriers.length > 0 && generic.length + carriers.length === kept.length ? carriers : kept;
  return chosen.map(({ service }) => service);
}

/**
 * Endpoints named only to compare ("..., vm-app01 is fine", "vm-app02 works."): alone in a
 * clause that says something works and nothing fails, and nowhere else. By group index.
 */
function comparisons(mentions: readonly Mention[], groups: readonly number[], lower: string): Set<number> {
  const breaks = [0, ...[...lower.matchAll(SENTENCE_BREAK)].map((match) => match.index + match[0].length), lower.length];
  const clauseIndex = (at: number) => breaks.findIndex((position, cursor) => at >= position && at < (breaks[cursor + 1] ?? Number.MAX_SAFE_INTEGER));
  const clausesOfGroup = new Map<number, Set<number>>();
  const groupsOfClause = new Map<number, Set<number>>();
  mentions.forEach((mention, index) => {
    if (!mention.endpoint) return;
    const group = groups[index] ?? index;
    const clause = clauseIndex(mention.start);
    clausesOfGroup.set(group, (clausesOfGroup.get(group) ?? new Set()).add(clause));
    groupsOfClause.set(clause, (groupsOfClause.get(clause) ?? new Set()).add(group));
  });
  const aside = new Set<number>();
  for (const [group, clauses] of clausesOfGroup) {
    if (clauses.size !== 1 || clausesOfGroup.size < 2) continue;
    const clause = [...clauses][0] ?? 0;
    const text = lower.slice(breaks[clause] ?? 0, breaks[clause + 1] ?? lower.length).replace(/'/gu, '').replace(/[\s.?!;,]+$/u, '');
    if ((groupsOfClause.get(clause)?.size ?? 0) === 1 && COMPARISON.test(text) && !FAILING.test(text)) aside.add(group);
  }
  return aside;
}

/** Separators inside parentheses that describe one endpoint: "(vm-api01, 10.22.2.4)". */
const PARENTHESIS_OPEN = /^\s*[([]\s*$/u;
const PARENTHESIS_SEPARATOR = /^\s*[,;/|]?\s*$/u;
const PARENTHESIS_CLOSE = /^\s*[)\]]/u;

/**
 * "https://claims-api.example (vm-claimsapi01, 10.22.2.4)", "vm-ops01 (10.83.1.4)": the parts
 * name one endpoint. When they agree (at most one resource, at most one address, the address
 * the resource's own or unknown), every part becomes the same endpoint, so roles see one.
 */
function mergeParentheticals(mentions: Mention[], normalised: string, names: readonly KnownName[]): Mention[] | null {
  const ordered = mentions.filter((mention) => mention.endpoint !== null).sort((left, right) => left.start - right.start);
  for (let cursor = 0; cursor < ordered.length; cursor += 1) {
    const head = ordered[cursor] as Mention;
    const first = ordered[cursor + 1];
    if (!first || !PARENTHESIS_OPEN.test(normalised.slice(head.after, first.start))) continue;
    const members = [first];
    while (true) {
      const last = members.at(-1) as Mention;
      const next = ordered[cursor + members.length + 1];
      if (!next || !PARENTHESIS_SEPARATOR.test(normalised.slice(last.end, next.start))) break;
      members.push(next);
    }
    const last = members.at(-1) as Mention;
    if (!PARENTHESIS_CLOSE.test(normalised.slice(last.end, last.end + 40))) continue;
    const merged = mergeEndpoints([head, ...members], names);
    // "vm-web01 (10.201.1.4)" where that address is another resource: asked about, not guessed.
    if (!merged) return [head, ...members];
    for (const mention of [head, ...members]) mention.endpoint = merged;
    cursor += members.length;
  }
  return null;
}

/** One endpoint from parts that describe it, or null when they disagree. */
function mergeEndpoints(parts: readonly Mention[], names: readonly KnownName[]): ParsedEndpoint | null {
  const endpoints = parts.map((part) => part.endpoint as ParsedEndpoint);
  if (endpoints.some((endpoint) => endpoint.prefix !== null)) return null;
  const resources = [...new Set(endpoints.flatMap((endpoint) => (endpoint.resourceId === null ? [] : [endpoint.resourceId])))];
  const pinned = [...new Set(parts.flatMap((part) => (part.form === 'address' && part.endpoint?.ip ? [part.endpoint.ip] : [])))];
  if (resources.length > 1 || pinned.length > 1) return null;
  const fqdn = endpoints.find((endpoint) => endpoint.fqdn !== null)?.fqdn ?? null;
  const resource = endpoints.find((endpoint) => endpoint.resourceId !== null);
  const ip = pinned[0] ?? null;
  if (resource) {
    const own = names.filter((known) => known.resourceId === resource.resourceId).flatMap(validIps);
    // "vm-app01 (10.9.9.9)" when vm-app01 has another address: not one endpoint.
    if (ip !== null && own.length > 0 && !own.includes(ip)) return null;
    return { ...resource, ip: ip ?? resource.ip, fqdn: fqdn ?? resource.fqdn };
  }
  const address = endpoints.find((endpoint) => endpoint.ip !== null);
  return address ? { ...address, ip, fqdn } : fqdn === null ? null : { ...EMPTY_ENDPOINT, fqdn };
}

/** Splits the text into words and endpoint tokens; plain words right after "from"/"to" close to a known name become mentions. */
function tokenise(normalised: string, lower: string, mentions: readonly Mention[], removed: ReadonlyArray<{ start: number; end: number }>, names: readonly KnownName[]):
  { tokens: Token[]; added: Mention[] } {
  const cuts = [
    ...mentions.map((mention, index) => ({ start: mention.start, end: mention.end, index })),
    ...removed.map(({ start, end }) => ({ start, end, index: -1 })),
  ].sort((a, b) => a.start - b.start);
  const tokens: Token[] = [];
  const added: Mention[] = [];
  const source = lowerSameLength(normalised);
  let position = 0;
  const words = (from: number, to: number) => {
    if (to <= from) return;
    for (const match of source.slice(from, to).matchAll(WORD_TOKENS)) {
      const word = match[0].replace(/'/gu, '');
      const previous = [...tokens].reverse().find((token) => token.type !== 'word' || !FILLERS.has(token.word));
      const afterMarker = previous?.type === 'word' && ['from', 'to', 'reach', 'into'].includes(previous.word);
      const isMasked = lower.slice(from + match.index, from + match.index + match[0].length).includes('\u0001');
      if (afterMarker && !isMasked && word.length >= 3 && !FILLERS.has(word) && closestNames(word, names, 5, false).length > 0) {
        const end = from + match.index + match[0].length;
        added.push({ start: from + match.index, end, text: match[0], endpoint: null, query: word, choices: null, form: 'word', url: false, after: end });
        tokens.push({ type: 'endpoint', index: mentions.length + added.length - 1 });
      } else {
        tokens.push({ type: 'word', word });
      }
    }
  };
  for (const cut of cuts) {
    if (cut.start < position) continue;
    words(position, cut.start);
    if (cut.index >= 0) tokens.push({ type: 'endpoint', index: cut.index });
    position = cut.end;
  }
  words(position, source.length);
  return { tokens, added };
}
