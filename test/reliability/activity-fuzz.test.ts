/**
 * The activity handler under fuzzing with a fixed seed (the long runs with random seeds are
 * `bench/fuzz.ts`, target `activity-handler`): arbitrary activity JSON posted to the running bot's
 * /api/messages and through a TestAdapter gets 200, 400 or 401, never hangs, never fails a turn,
 * never shows a stack trace, and everything the bot posts is typing, text or a valid Adaptive Card.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityFuzzTarget, startActivityFuzzBot, type ActivityFuzzBot, type FuzzActivity } from './activity-fuzz.js';
import { decodeInput, REGRESSIONS } from './fuzz-targets.js';

const SEED = 20261207;
const RUNS = 400;

describe('activity handler fuzzing', () => {
  let bot: ActivityFuzzBot;
  beforeAll(async () => { bot = await startActivityFuzzBot(); }, 30_000);
  afterAll(async () => { await bot?.close(); });

  it(`${RUNS} generated activities (seed ${SEED}): 200/400/401 only, no hang, no failed turn, no stack trace, valid replies`, async () => {
    const target = activityFuzzTarget(bot, RUNS);
    await fc.assert(fc.asyncProperty(target.arbitrary, async (activity) => { await target.check(activity); }), { seed: SEED, numRuns: target.defaultRuns });
    // The run reached both sides: answered turns and refused bodies.
    expect(bot.statuses.get(200) ?? 0).toBeGreaterThan(RUNS / 2);
  }, 60_000);

  /** Inputs the fuzzing found failing (each failed a turn, crashed botbuilder, or posted an invalid card), now checked. */
  const FOUND: [string, Record<string, unknown>, number][] = [
    ['no conversation (a reply had nowhere to go: TypeError in botbuilder)', { type: 'message', text: 'help' }, 400],
    ['a Teams message update with no channelData (TeamsActivityHandler read channelData.eventType)', { type: 'messageUpdate', channelId: 'msteams', conversation: { id: 'a:fuzz-1' } }, 200],
    ['an adaptiveCard/action invoke with an empty value (botbuilder threw reading action)', { type: 'invoke', name: 'adaptiveCard/action', value: {}, conversation: { id: 'a:fuzz-2' } }, 400],
    ['a fileConsent invoke with no value', { type: 'invoke', name: 'fileConsent/invoke', conversation: { id: 'a:fuzz-3' } }, 400],
    ['a mention with no mentioned, to a recipient with no id', { type: 'message', recipient: {}, conversation: { id: 'a:fuzz-4', conversationType: 'channel', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' }, entities: [{ type: 'mention' }, null, { text: 'x' }] }, 200],
    ['a null attachment (mentionsFiles read its contentType)', { type: 'message', attachments: [null], conversation: { id: 'a:fuzz-5' }, channelData: { tenant: { id: '72f988bf-86f1-41af-91ab-2d7cd011db47' } } }, 200],
    ['a text that is not a string', { type: 'message', text: 42, conversation: { id: 'a:fuzz-6', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' } }, 200],
    ['a 300,000-character question (its clarification card repeated it in every choice: over 28 KB)', { type: 'message', text: '🙂'.repeat(150_000), conversation: { id: 'a:fuzz-7', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' } }, 200],
  ];
  it.each(FOUND)('%s: answered %i, the turn and its replies pass every check', async (_name, activity, status) => {
    const before = new Map(bot.statuses);
    await bot.check(activity);
    expect(bot.statuses.get(status)).toBe((before.get(status) ?? 0) + 1);
  });

  // Activities a long run of bench/fuzz.ts found failing, written there as regressions: replayed here once fixed.
  const folder = join(REGRESSIONS, 'activity-handler');
  const regressions = existsSync(folder) ? readdirSync(folder).filter((file) => file.endsWith('.json')).sort() : [];
  it.skipIf(regressions.length === 0).each(regressions)('regression %s', async (file) => {
    await bot.check(decodeInput(readFileSync(join(folder, file), 'utf8')) as FuzzActivity);
  });

  it.each([
    ['no type', { text: 'help' }],
    ['an empty type', { type: '', text: 'help' }],
    ['a type that is not a string', { type: 7 }],
    ['an array', [{ type: 'message' }]],
  ])('refuses a body with %s with 400 and no detail', async (_name, body) => {
    expect(await bot.postRaw(JSON.stringify(body))).toEqual({ status: 400, body: '' });
  });

  it.each([
    ['malformed JSON', '{"type": "message", ', 400],
    ['a body over 1 MB', JSON.stringify({ type: 'message', text: 'x'.repeat(1_100_000) }), 413],
  ])('answers %s with the status alone (no stack page)', async (_name, raw, status) => {
    expect(await bot.postRaw(raw)).toEqual({ status, body: '' });
  });
});
