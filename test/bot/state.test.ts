/**
 * Conversation state over botbuilder Storage: MemoryStorage, and BlobsStorage against
 * Azurite (the lab's storage emulator) as several replicas would share it: non-ASCII
 * names, concurrent updates in one process and across replicas (eTags).
 */
import { MemoryStorage, type Storage } from 'botbuilder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationStore, RECORD_LIMITS, createStateStorage } from '../../src/bot/state.js';
import { accountKey, startAzurite, type Azurite } from '../../src/lab/azurite.js';

let azurite: Azurite;
let connectionString: string;

beforeAll(async () => {
  azurite = await startAzurite([]);
  connectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${accountKey('devstoreaccount1')};BlobEndpoint=${azurite.accountUrl('devstoreaccount1')};`;
});

afterAll(async () => {
  await azurite?.close();
});

const KEY = ConversationStore.keyOf('msteams', '19:general@thread.tacv2;messageid=1700000000001');

const stores: [string, () => Storage][] = [
  ['MemoryStorage', () => new MemoryStorage()],
  ['BlobsStorage on Azurite', () => createStateStorage(`blob:${connectionString}|state-${Math.random().toString(36).slice(2, 10)}`)],
];

describe.each(stores)('ConversationStore over %s', (_name, makeStorage) => {
  it('starts empty, keeps what is written, including non-ASCII text', async () => {
    const store = new ConversationStore(makeStorage());
    expect(await store.get(KEY)).toEqual({ reference: null, lastQuestion: null, verdicts: [], uploads: [], pending: [], handled: [], estate: null });
    await store.update(KEY, (record) => {
      record.reference = { user: { id: '29:1', name: 'Jürgen Öztürk 日本' }, conversation: { id: KEY } };
      record.handled.push('a1');
    });
    const record = await store.get(KEY);
    expect(record.reference).toEqual({ user: { id: '29:1', name: 'Jürgen Öztürk 日本' }, conversation: { id: KEY } });
    expect(record.handled).toEqual(['a1']);
  });

  it('loses no update when many run at once', async () => {
    const store = new ConversationStore(makeStorage());
    await Promise.all(Array.from({ length: 20 }, (_unused, index) => store.update(KEY, (record) => { record.handled.push(`a${index}`); })));
    expect((await store.get(KEY)).handled.sort()).toEqual(Array.from({ length: 20 }, (_unused, index) => `a${index}`).sort());
  });

  it('keeps the lists bounded', async () => {
    const store = new ConversationStore(makeStorage());
    await store.update(KEY, (record) => {
      for (let index = 0; index < RECORD_LIMITS.handled + 10; index += 1) record.handled.push(`a${index}`);
    });
    const handled = (await store.get(KEY)).handled;
    expect(handled).toHaveLength(RECORD_LIMITS.handled);
    expect(handled.at(-1)).toBe(`a${RECORD_LIMITS.handled + 9}`);
  });
});

describe('two replicas sharing one Blob container', () => {
  it('detect a redelivery the other replica answered, and merge concurrent updates through eTags', async () => {
    const setting = `blob:${connectionString}|shared-state`;
    const replicaA = new ConversationStore(createStateStorage(setting));
    const replicaB = new ConversationStore(createStateStorage(setting));
    const claim = (id: string) => (record: { handled: string[] }) => {
      if (record.handled.includes(id)) return false;
      record.handled.push(id);
      return true;
    };
    expect(await replicaA.update(KEY, claim('activity-1'))).toBe(true);
    expect(await replicaB.update(KEY, claim('activity-1'))).toBe(false);
    // Interleaved writers on different replicas: the eTag makes the loser re-read and retry.
    await Promise.all([
      ...Array.from({ length: 5 }, (_unused, index) => replicaA.update(KEY, (record) => { record.handled.push(`a${index}`); })),
      ...Array.from({ length: 5 }, (_unused, index) => replicaB.update(KEY, (record) => { record.handled.push(`b${index}`); })),
    ]);
    const handled = (await replicaA.get(KEY)).handled;
    expect(handled).toHaveLength(11);
    expect(new Set(handled).size).toBe(11);
  });
});

describe('createStateStorage', () => {
  it.each([
    ['memory', MemoryStorage],
    ['', MemoryStorage],
  ])('reads %j as MemoryStorage', (setting, type) => {
    expect(createStateStorage(setting)).toBeInstanceOf(type);
  });

  it.each([
    ['blob:UseDevelopmentStorage=true;|', /container name/],
    ['blob:|state', /connection string/],
    ['blob:AccountKey=secret-key-value|Bad_Container', /container name/],
    ['cosmos:AccountEndpoint=https://x', /Cosmos DB is not supported.*cannot be tested offline/],
    ['redis://x', /expected "memory" or "blob:/],
  ])('rejects %j, naming the problem and never the secret', (setting, message) => {
    expect(() => createStateStorage(setting)).toThrow(message);
    try {
      createStateStorage(setting);
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-key-value');
    }
  });
});
