/**
 * Validators for every value that goes into a query. Queries are built from these
 * branded values only, never from raw user text; a value that does not validate is
 * the user's to fix (UserInputError, code `query.invalid-value`).
 */
import { isIP } from 'node:net';
import { UserInputError } from '../../domain/index.js';

declare const validatedBrand: unique symbol;
/** A string that passed the validator of kind `K`. */
export type Validated<K extends string> = string & { readonly [validatedBrand]: K };

/** An IPv4 or IPv6 address in the form Azure logs write it. */
export type IpAddress = Validated<'ip'>;
/** An IPv4 or IPv6 prefix, e.g. `192.168.10.0/24`. */
export type Cidr = Validated<'cidr'>;
/** An ARM resource id. */
export type ResourceId = Validated<'resource-id'>;
/** A UTC instant in ISO 8601 with milliseconds (`2026-11-12T14:00:00.000Z`). */
export type Instant = Validated<'instant'>;
/** A DNS name (what an application rule or a DNS query logs). */
export type DnsName = Validated<'dns-name'>;
/** A TCP/UDP port. */
export type Port = number & { readonly [validatedBrand]: 'port' };

/** A validated time window. */
export interface ValidatedWindow {
  start: Instant;
  end: Instant;
}

const MAX_LENGTH = 400;

function invalid(what: string, value: unknown): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value) : String(value);
  throw new UserInputError('query.invalid-value', `not a valid ${what}: ${shown}`);
}

/** An IP address; IPv6 zone ids and anything `node:net` does not accept are refused. */
export function validateIp(value: string): IpAddress {
  if (typeof value !== 'string' || value.length > 45 || value.includes('%') || isIP(value) === 0) invalid('IP address', value);
  // Azure writes IPv6 in lower case; IPv4 is already canonical once isIP accepts it.
  return (isIP(value) === 6 ? value.toLowerCase() : value) as IpAddress;
}

/** An address prefix `ip/len` (len 0-32 for IPv4, 0-128 for IPv6). */
export function validateCidr(value: string): Cidr {
  if (typeof value !== 'string' || value.length > 49) invalid('address prefix', value);
  const match = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!match) invalid('address prefix', value);
  const [, address = '', lengthText = ''] = match;
  const family = address.includes('%') ? 0 : isIP(address);
  const length = Number(lengthText);
  if (family === 0 || length > (family === 4 ? 32 : 128) || String(length) !== lengthText) invalid('address prefix', value);
  return `${family === 6 ? address.toLowerCase() : address}/${length}` as Cidr;
}

/** A port 0-65535. */
export function validatePort(value: number): Port {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) invalid('port', value);
  return value as Port;
}

/**
 * An ARM resource id: `/subscriptions/{guid}/resourceGroups/{rg}/providers/{Namespace}/{type}/{name}[/{type}/{name}]...`.
 * Resource group and resource names use Azure's own allowed characters.
 */
const RESOURCE_ID = /^\/subscriptions\/[0-9a-fA-F-]{36}(?:\/resourceGroups\/[-\w._()]{1,90}(?:\/providers\/[A-Za-z][\w.]{1,60}(?:\/[A-Za-z][\w]{0,80}\/[-\w._]{1,260}){1,4})?)?$/;

/** An ARM resource id (also a subscription or resource group id). */
export function validateResourceId(value: string): ResourceId {
  // No segment may end with a period (Azure names cannot): `..` would walk the REST path the SDK builds from it.
  if (typeof value !== 'string' || value.length > MAX_LENGTH || !RESOURCE_ID.test(value) || value.split('/').some((segment) => segment.endsWith('.'))) invalid('resource id', value);
  return value as ResourceId;
}

/** An ISO 8601 instant with an explicit offset; returned in UTC with milliseconds. */
export function validateInstant(value: string): Instant {
  if (typeof value !== 'string' || value.length > 40) invalid('ISO 8601 instant', value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/.test(value)) invalid('ISO 8601 instant', value);
  const time = Date.parse(value);
  if (Number.isNaN(time)) invalid('ISO 8601 instant', value);
  return new Date(time).toISOString() as Instant;
}

/** A window whose start is before its end, at most `maxDays` long. */
export function validateWindow(window: { start: string; end: string }, maxDays = 31): ValidatedWindow {
  const start = validateInstant(window.start);
  const end = validateInstant(window.end);
  const span = Date.parse(end) - Date.parse(start);
  if (span <= 0) invalid('time window (start must be before end)', `${window.start} .. ${window.end}`);
  if (span > maxDays * 86_400_000) invalid(`time window (at most ${maxDays} days)`, `${window.start} .. ${window.end}`);
  return { start, end };
}

/** A DNS name: letters, digits, hyphens and underscores in dot-separated labels (a trailing dot is dropped). */
export function validateDnsName(value: string): DnsName {
  if (typeof value !== 'string' || value.length > 254) invalid('DNS name', value);
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  const label = /^(?:\*|[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)$/;
  if (name.length === 0 || !name.split('.').every((part) => label.test(part))) invalid('DNS name', value);
  return name.toLowerCase() as DnsName;
}

/** A positive row cap, at most `ceiling`. */
export function validateRowCap(value: number, ceiling = 10_000): number {
  if (!Number.isInteger(value) || value < 1 || value > ceiling) invalid(`row cap (1-${ceiling})`, value);
  return value;
}

/** An address or a prefix, whichever the text is. */
export function validateIpOrCidr(value: string): { ip: IpAddress } | { cidr: Cidr } {
  return typeof value === 'string' && value.includes('/') ? { cidr: validateCidr(value) } : { ip: validateIp(value) };
}
