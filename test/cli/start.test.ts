/** `netproof start`: where artifacts go, and what it prints once the bot listens. */
import { describe, expect, it } from 'vitest';
import { artifactStoreSettingOf, auditLogSettingOf, startBanner } from '../../src/cli/start.js';

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
    expect(text).toContain('embedded lab (2 scenarios): rdp-remote-site, no-route');
    expect(text).toContain('rules alone');
    // The scenario picker and a curl route through the playground's HTTP API.
    expect(text).toContain('  scenarios ');
    expect(text).toContain('  use rdp-remote-site');
    expect(text).toContain('  flow log coverage');
    expect(text).toContain('curl -s -X POST "localhost:56150/_conversation/v1/conversations/$CHAT/messages"');
    expect(text).toContain('packet captures from chat need a confirmation by anyone in the lab');
  });

  it('names the assistant\'s model when an LLM is wired in', () => {
    const text = startBanner({ url: 'http://127.0.0.1:3978', authenticated: true, estates: ['azure'], lab: false, llm: true, llmDescription: 'OpenAI-compatible gpt-4o-mini', audit: 'netproof-audit/captures.jsonl' });
    expect(text).toContain('netproof: LLM OpenAI-compatible gpt-4o-mini: it picks tools and phrases answers; the rules decide the cause');
    expect(text).toContain('a capture approver (NETPROOF_CAPTURE_APPROVERS); audit log: netproof-audit/captures.jsonl');
  });
});

describe('auditLogSettingOf', () => {
  it('writes the capture audit to a file, or to an append blob beside Blob state', () => {
    expect(auditLogSettingOf({ NETPROOF_STATE_STORE: 'memory' })).toEqual({ kind: 'file', path: 'netproof-audit/captures.jsonl' });
    expect(auditLogSettingOf({ NETPROOF_STATE_STORE: 'memory', NETPROOF_CAPTURE_AUDIT_DIR: '/var/log/netproof' })).toEqual({ kind: 'file', path: '/var/log/netproof/captures.jsonl' });
    expect(auditLogSettingOf({ NETPROOF_STATE_STORE: 'blob:AccountName=a;AccountKey=k|netproof-state' }))
      .toEqual({ kind: 'blob', connectionString: 'AccountName=a;AccountKey=k', container: 'netproof-state-audit', blob: 'captures.jsonl' });
  });

  it('says nothing about the playground for an authenticated bot', () => {
    const text = startBanner({ url: 'http://127.0.0.1:3978', authenticated: true, estates: ['azure'], lab: false, llm: false });
    expect(text).not.toContain('agentsplayground');
    expect(text).toContain('investigating azure');
  });
});
