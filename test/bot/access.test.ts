/** The tenant gate and the access file: format, grants per user, team, channel and chat, and their intersection. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccessPolicy, GRANT_REFUSAL, TENANT_REFUSAL, loadAccessFile, parseAccessFile, subscriptionOf, withinGrant, type Asker } from '../../src/bot/access.js';

const TENANT = 'aaaaaaaa-0000-4000-8000-000000000001';
const SUB_A = '00000000-0000-0000-0000-00000000000a';
const SUB_B = '00000000-0000-0000-0000-00000000000b';
const SUB_C = '00000000-0000-0000-0000-00000000000c';

const FILE = parseAccessFile(JSON.stringify({
  version: 1,
  default: [SUB_A],
  users: { 'alice': '*', 'bob': [SUB_B], 'carol': [] },
  teams: { 'team-net': [SUB_A, SUB_B] },
  channels: { '19:secops@thread.tacv2': [SUB_C] },
  chats: { '19:war-room@thread.v2': '*' },
}));

function asker(overrides: Partial<Asker>): Asker {
  return { tenantId: TENANT, userId: 'alice', conversationType: 'personal', conversationId: 'a:1', teamIds: [], channelId: null, ...overrides };
}

describe('AccessPolicy', () => {
  it.each([
    ['an allowed tenant', TENANT, true],
    ['the same tenant in upper case', TENANT.toUpperCase(), true],
    ['another tenant', 'bbbbbbbb-0000-4000-8000-000000000001', false],
    ['no tenant at all', null, false],
  ])('lets %s through the tenant gate: %s', (_name, tenantId, allowed) => {
    const decision = new AccessPolicy([TENANT], null).decide(asker({ tenantId }));
    expect(decision.allowed).toBe(allowed);
    if (!decision.allowed) expect(decision.message).toBe(TENANT_REFUSAL);
  });

  it('without a tenant list lets every tenant through (local use), and without a file grants everything', () => {
    expect(new AccessPolicy(null, null).decide(asker({ tenantId: null }))).toEqual({ allowed: true, subscriptions: '*' });
  });

  it.each([
    ['alice in personal chat', asker({}), '*'],
    ['bob in personal chat', asker({ userId: 'bob' }), [SUB_B]],
    ['an unlisted user gets the default', asker({ userId: 'dave' }), [SUB_A]],
    ['a user with no id gets the default', asker({ userId: null }), [SUB_A]],
    ['alice in the secops channel: the channel grant', asker({ conversationType: 'channel', channelId: '19:secops@thread.tacv2', teamIds: ['team-net'] }), [SUB_C]],
    ['alice in another channel of team-net: the team grant', asker({ conversationType: 'channel', channelId: '19:general@thread.tacv2', teamIds: ['team-net'] }), [SUB_A, SUB_B]],
    ['bob in team-net: his grant within the team\'s', asker({ userId: 'bob', conversationType: 'channel', channelId: '19:general@thread.tacv2', teamIds: ['team-net'] }), [SUB_B]],
    ['alice in the war room chat', asker({ conversationType: 'groupChat', conversationId: '19:war-room@thread.v2' }), '*'],
    ['bob in an unlisted group chat: his grant within the default', asker({ userId: 'bob', conversationType: 'groupChat', conversationId: '19:x@thread.v2' }), null],
    ['carol anywhere', asker({ userId: 'carol' }), null],
  ])('%s', (_name, who, expected) => {
    const decision = new AccessPolicy([TENANT], FILE).decide(who);
    if (expected === null) {
      expect(decision).toEqual({ allowed: false, reason: 'no-grant', message: GRANT_REFUSAL });
    } else {
      expect(decision).toEqual({ allowed: true, subscriptions: expected });
    }
  });

  it('refuses another tenant before looking at the file', () => {
    expect(new AccessPolicy([TENANT], FILE).decide(asker({ tenantId: 'other' }))).toMatchObject({ allowed: false, reason: 'tenant' });
  });
});

describe('grants and resource ids', () => {
  it.each([
    ['*', [`/subscriptions/${SUB_C}/resourceGroups/x`], true],
    [[SUB_A], [`/subscriptions/${SUB_A.toUpperCase()}/resourceGroups/x/providers/Microsoft.Compute/virtualMachines/vm`], true],
    [[SUB_A], [`/subscriptions/${SUB_A}/x`, `/subscriptions/${SUB_B}/y`], false],
    [[SUB_A], [null, undefined, '10.0.0.4'], true],
  ] as const)('grant %j over %j: %s', (grant, ids, expected) => {
    expect(withinGrant(grant === '*' ? '*' : [...grant], [...ids])).toBe(expected);
  });

  it('reads the subscription of an ARM id', () => {
    expect(subscriptionOf(`/subscriptions/${SUB_A.toUpperCase()}/resourceGroups/rg`)).toBe(SUB_A);
    expect(subscriptionOf('vm-app01')).toBeNull();
  });
});

describe('the access file', () => {
  it.each([
    ['not JSON', '{', /is not JSON/],
    ['no version', JSON.stringify({ users: {} }), /version/],
    ['an unknown key', JSON.stringify({ version: 1, groups: {} }), /groups|Unrecognized/i],
    ['a grant that is not a subscription id', JSON.stringify({ version: 1, users: { alice: ['prod'] } }), /users\.alice\.0|subscription id is a GUID/],
    ['a grant that is a bare string', JSON.stringify({ version: 1, default: 'everything' }), /default/],
  ])('rejects %s naming the problem', (_name, text, message) => {
    expect(() => parseAccessFile(text, 'access.json')).toThrow(message);
  });

  it('loads a file from disk, and names a missing one', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'netproof-access-'));
    const path = join(directory, 'access.json');
    writeFileSync(path, JSON.stringify({ version: 1, users: { alice: [SUB_A] } }));
    expect((await loadAccessFile(path)).users).toEqual({ alice: [SUB_A] });
    await expect(loadAccessFile(join(directory, 'missing.json'))).rejects.toThrow(/cannot read the access file .*ENOENT/);
  });
});
