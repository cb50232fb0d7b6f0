/**
 * Who may use the bot, and what they may investigate.
 *
 * Two gates, in order:
 * 1. The tenant: only users of an allowed Entra tenant (NETPROOF_ALLOWED_TENANTS) get
 *    anything but a polite refusal. The tenant is `conversation.tenantId`, else
 *    `channelData.tenant.id`.
 * 2. The access file (NETPROOF_ACCESS_FILE), when configured: which subscriptions a
 *    user, a team or a channel may investigate. Without a file, everyone in an allowed
 *    tenant may investigate every configured subscription.
 *
 * Access file format (JSON, validated by `AccessFileSchema`):
 * ```jsonc
 * {
 *   "version": 1,
 *   // Anyone in an allowed tenant not listed under "users" (default: nothing).
 *   "default": [],
 *   // Entra object ids of users (activity.from.aadObjectId).
 *   "users":    { "6b1c...": "*", "0e9f...": ["00000000-0000-0000-0000-000000000001"] },
 *   // Teams by their Entra group id (channelData.team.aadGroupId) or Teams team id (channelData.team.id).
 *   "teams":    { "a1b2...": ["00000000-0000-0000-0000-000000000001"] },
 *   // Channels by their Teams channel id (channelData.channel.id, `19:...@thread.tacv2`).
 *   "channels": { "19:abc@thread.tacv2": ["00000000-0000-0000-0000-000000000002"] },
 *   // Group chats by conversation id (`19:...@thread.v2`).
 *   "chats":    { "19:def@thread.v2": "*" }
 * }
 * ```
 * A grant is `"*"` (every configured subscription) or a list of subscription ids.
 * The user's grant is `users[id]`, else `default`. An answer in a channel or group chat is
 * seen by everyone there, so there the place's grant (`channels[id]`, else `teams[id]`,
 * else `chats[id]`, else `default`) is intersected with the user's. In a personal chat
 * the user's grant alone applies. An empty result is a refusal.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const SubscriptionIdSchema = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'a subscription id is a GUID');

/** `"*"` for every configured subscription, or a list of subscription ids. */
export const GrantSchema = z.union([z.literal('*'), z.array(SubscriptionIdSchema)]);
export type Grant = z.infer<typeof GrantSchema>;

/** The access file (NETPROOF_ACCESS_FILE). */
export const AccessFileSchema = z.strictObject({
  version: z.literal(1),
  /** Grant of users of an allowed tenant who are not listed under `users`. */
  default: GrantSchema.default([]),
  /** By Entra object id of the user. */
  users: z.record(z.string().min(1), GrantSchema).default({}),
  /** By Entra group id (or Teams id) of the team. */
  teams: z.record(z.string().min(1), GrantSchema).default({}),
  /** By Teams channel id. */
  channels: z.record(z.string().min(1), GrantSchema).default({}),
  /** By group chat conversation id. */
  chats: z.record(z.string().min(1), GrantSchema).default({}),
});
export type AccessFile = z.infer<typeof AccessFileSchema>;

/** Who asks, and where, as the activity says. */
export interface Asker {
  tenantId: string | null;
  /** Entra object id of the user. */
  userId: string | null;
  conversationType: 'personal' | 'groupChat' | 'channel' | string;
  /** The conversation id without the `;messageid=` thread suffix. */
  conversationId: string;
  teamIds: string[];
  channelId: string | null;
}

/** The outcome of the gates. */
export type AccessDecision =
  | { allowed: true; subscriptions: '*' | string[] }
  | { allowed: false; reason: 'tenant' | 'no-grant'; message: string };

/** The refusal users see: says nothing of the estate. */
export const TENANT_REFUSAL = 'Sorry, netproof is not available to your organisation. Ask the team that runs it to add your tenant.';
/** The refusal when the tenant is allowed but no grant covers this user or place. */
export const GRANT_REFUSAL = 'Sorry, you (or this chat) have no access to any Azure subscription netproof investigates. Ask the team that runs it for access.';

function intersect(left: Grant, right: Grant): Grant {
  if (left === '*') return right;
  if (right === '*') return left;
  const other = new Set(right.map((id) => id.toLowerCase()));
  return left.filter((id) => other.has(id.toLowerCase()));
}

function lookup(map: Record<string, Grant>, id: string | null): Grant | undefined {
  if (!id) return undefined;
  if (Object.hasOwn(map, id)) return map[id];
  const lower = id.toLowerCase();
  const key = Object.keys(map).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : map[key];
}

/** Decides what an asker may investigate. */
export class AccessPolicy {
  readonly #allowedTenants: ReadonlySet<string> | null;
  readonly #file: AccessFile | null;

  /**
   * @param allowedTenants tenant ids; null lets every tenant through (local, unauthenticated use only)
   * @param file the parsed access file; null grants every configured subscription
   */
  constructor(allowedTenants: readonly string[] | null, file: AccessFile | null) {
    this.#allowedTenants = allowedTenants === null ? null : new Set(allowedTenants.map((id) => id.toLowerCase()));
    this.#file = file;
  }

  /** True when the tenant gate lets the tenant through. */
  tenantAllowed(tenantId: string | null): boolean {
    if (this.#allowedTenants === null) return true;
    return tenantId !== null && this.#allowedTenants.has(tenantId.toLowerCase());
  }

  /** Both gates for one asker. */
  decide(asker: Asker): AccessDecision {
    if (!this.tenantAllowed(asker.tenantId)) return { allowed: false, reason: 'tenant', message: TENANT_REFUSAL };
    const file = this.#file;
    if (!file) return { allowed: true, subscriptions: '*' };
    const user = lookup(file.users, asker.userId) ?? file.default;
    let grant: Grant = user;
    if (asker.conversationType !== 'personal') {
      const place = lookup(file.channels, asker.channelId)
        ?? asker.teamIds.map((id) => lookup(file.teams, id)).find((found) => found !== undefined)
        ?? lookup(file.chats, asker.conversationId)
        ?? file.default;
      grant = intersect(user, place);
    }
    if (grant !== '*' && grant.length === 0) return { allowed: false, reason: 'no-grant', message: GRANT_REFUSAL };
    return { allowed: true, subscriptions: grant };
  }
}

/** The subscription id of an ARM resource id, lower-cased; null for anything else. */
export function subscriptionOf(resourceId: string | null | undefined): string | null {
  const match = /^\/subscriptions\/([^/]+)/i.exec(resourceId ?? '');
  return match?.[1]?.toLowerCase() ?? null;
}

/** True when every resource id lies in a granted subscription. */
export function withinGrant(subscriptions: '*' | string[], resourceIds: readonly (string | null | undefined)[]): boolean {
  if (subscriptions === '*') return true;
  const granted = new Set(subscriptions.map((id) => id.toLowerCase()));
  return resourceIds.every((id) => {
    const subscription = subscriptionOf(id);
    return subscription === null || granted.has(subscription);
  });
}

/** Parses access file text; throws naming the file and each problem. */
export function parseAccessFile(text: string, path = 'the access file'): AccessFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON: ${(error as Error).message}`);
  }
  const result = AccessFileSchema.safeParse(json);
  if (!result.success) {
    throw new Error(`${path} is not a netproof access file: ${result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`);
  }
  return result.data;
}

/** Reads and parses the access file at `path`. */
export async function loadAccessFile(path: string): Promise<AccessFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the access file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseAccessFile(text, path);
}
