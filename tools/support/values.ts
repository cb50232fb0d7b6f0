/**
 * The validated values tool arguments are made of: IP addresses, prefixes, ports,
 * resource names, ISO instants. Nothing the model writes reaches a query as raw
 * text; names are resolved against the estate before anything uses them.
 */
import { z } from 'zod';
import { canonicalIp } from '../../src/diagnose/question/ip.js';
import type { FlowSelector } from '../../src/diagnose/ports.js';
import type { ToolContext } from './tool.js';

/** An IPv4 or IPv6 address, in canonical form. */
export const ipAddress = z.union([z.ipv4(), z.ipv6()]).transform((value) => canonicalIp(value))
  .describe('An IPv4 or IPv6 address, e.g. 10.0.0.4');

/** A TCP/UDP port. */
export const port = z.number().int().min(1).max(65535).describe('A port, 1-65535');

/** An Azure resource name as the portal shows it (letters, digits, - _ .), never a query. */
export const resourceName = z.string().min(1).max(80)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}_.()-]*$/u, 'a resource name has letters, digits, - _ . ( ) only')
  .describe('The resource name as Azure shows it, e.g. vm-app01');

/** An ISO 8601 instant with a zone. */
export const instant = z.iso.datetime({ offset: true }).describe('ISO 8601 time with zone, e.g. 2026-11-20T08:00:00Z');

/** A page of a long result, 1-based. */
export const page = z.number().int().min(1).max(1000).default(1).describe('Page of the result, 1-based; ask for the next page when the result says there are more');

/** Rows shown per page. */
export const PAGE_SIZE = 20;

/** One page of a list, with the paging facts the model needs. */
export function paginate<T>(items: readonly T[], pageNumber: number, pageSize = PAGE_SIZE): { items: T[]; page: number; pages: number; total: number; more: boolean } {
  const pages = Math.max(1, Math.ceil(items.length / pageSize));
  const start = (pageNumber - 1) * pageSize;
  return { items: items.slice(start, start + pageSize), page: pageNumber, pages, total: items.length, more: pageNumber < pages };
}

/** The time window a query uses: the arguments, else the conversation's previous window, else the last hour. */
export function resolveWindow(context: ToolContext, start: string | undefined, end: string | undefined):
  { ok: true; window: { start: Date; end: Date } } | { ok: false; message: string } {
  const previous = context.previous?.window;
  const endDate = end ? new Date(end) : previous && !start ? new Date(previous.end) : context.now;
  const startDate = start ? new Date(start) : previous && !end ? new Date(previous.start) : new Date(endDate.getTime() - 60 * 60_000);
  if (startDate.getTime() >= endDate.getTime()) return { ok: false, message: `the window start ${startDate.toISOString()} is not before its end ${endDate.toISOString()}` };
  const lengthInMinutes = (endDate.getTime() - startDate.getTime()) / 60_000;
  if (lengthInMinutes > context.limits.windowInMinutes) {
    return { ok: false, message: `the window spans ${Math.round(lengthInMinutes)} minutes; at most ${context.limits.windowInMinutes} minutes may be queried at once` };
  }
  return { ok: true, window: { start: startDate, end: endDate } };
}

/** A flow selector of validated values. */
export function flowSelector(input: { sourceIp?: string | undefined; destinationIp?: string | undefined; port?: number | undefined; protocol?: 'tcp' | 'udp' | 'icmp' | 'any' | undefined }, window: { start: Date; end: Date }): FlowSelector {
  return {
    sourceIp: input.sourceIp ?? null,
    destinationIp: input.destinationIp ?? null,
    destinationFqdn: null,
    protocol: input.protocol ?? (input.port !== undefined ? 'tcp' : 'any'),
    port: input.port ?? null,
    window,
  };
}
