/** `netproof start`: where artifacts go, and what it prints once the bot listens. */
import { describe, expect, it } from 'vitest';
import { artifactStoreSettingOf, startBanner } from '../../src/cli/start.js';

describe('artifactStoreSettingOf', () => {
  it('keeps artifacts in memory with memory state, and beside Blob state otherwise', () => {
    expect(artifactStoreSettingOf({ NETPROOF_STATE_STORE: 'memory' })).toEqual({ kind: 'memory' });
    expect(artifactStoreSettingOf({ NETPROOF_STATE_STORE: 'blob:AccountName=a;AccountKey=k;EndpointSuffix=core.windows.net|netproof-state' }))
      .toEqual({ kind: 'blob', connectionString: 'AccountName=a;AccountKey=k;EndpointSuffix=core.windows.net', container: 'netproof-state-artifacts' });
    const long = 'c'.repeat(63);
    const setting = artifactStoreSettingOf({ NETPROOF_STATE_STORE: `blob:AccountName=a|${long}` });
    expect(setting.kind === 'blob' && setting.container.length).toBeLessThanOrEqual(63);
  });
});

describe('startBanner', () => {
  it('tells a local user how to chat with the bot in the Agents Playground', () => {
    const text = startBanner({ url: 'http://127.0.0.1:3978', authenticated: false, estates: ['rdp-remote-site', 'no-route'], lab: true, llm: false });
    expect(text).toContain('http://127.0.0.1:3978/api/messages (no MicrosoftAppId: unauthenticated, loopback only)');
    expect(text).toContain('BOT_ENDPOINT=http://127.0.0.1:3978/api/messages');
    expect(text).toContain('npx agentsplayground --disable-telemetry');
    expect(text).toContain('embedded lab: rdp-remote-site, no-route');
    expect(text).toContain('rules alone');
  });

  it('says nothing about the playground for an authenticated bot', () => {
    const text = startBanner({ url: 'http://127.0.0.1:3978', authenticated: true, estates: ['azure'], lab: false, llm: false });
    expect(text).not.toContain('agentsplayground');
    expect(text).toContain('investigating azure');
  });
});
