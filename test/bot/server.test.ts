/** The bot settings from the environment: tenants, identity rules, limits and defaults. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION_IN_MS, botSettingsFromConfig } from '../../src/bot/server.js';
import { parseConfig } from '../../src/config.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP = 'a0000000-0000-0000-0000-000000000001';

describe('botSettingsFromConfig', () => {
  it('without an app id lets every tenant through (local use only) and takes the limits', () => {
    const settings = botSettingsFromConfig(parseConfig({ NETPROOF_LIMITS_UPLOAD_BYTES: '1000', NETPROOF_LIMITS_INVESTIGATIONS: '3', NETPROOF_LIMITS_INVESTIGATIONS_PER_CONVERSATION: '1' }), null);
    expect(settings.access.tenantAllowed('any-tenant')).toBe(true);
    expect(settings).toMatchObject({ port: 3978, uploadLimitInBytes: 1000, investigations: 3, investigationsPerConversation: 1, retentionInMs: DEFAULT_RETENTION_IN_MS });
    expect(settings.publicUrl).toBeUndefined();
  });

  it('with an app id allows the listed tenants, else the app\'s own tenant', () => {
    const listed = botSettingsFromConfig(parseConfig({ MicrosoftAppId: APP, MicrosoftAppPassword: 'p', NETPROOF_ALLOWED_TENANTS: `${TENANT}, other-tenant`, NETPROOF_PUBLIC_URL: 'https://bot.example.com' }), null);
    expect([listed.access.tenantAllowed(TENANT), listed.access.tenantAllowed('other-tenant'), listed.access.tenantAllowed('third')]).toEqual([true, true, false]);
    expect(listed.publicUrl).toBe('https://bot.example.com');
    const own = botSettingsFromConfig(parseConfig({ MicrosoftAppId: APP, MicrosoftAppPassword: 'p', MicrosoftAppTenantId: TENANT }), null);
    expect([own.access.tenantAllowed(TENANT), own.access.tenantAllowed('third')]).toEqual([true, false]);
  });

  it.each([
    [{ MicrosoftAppId: APP, MicrosoftAppPassword: 'p' }, /NETPROOF_ALLOWED_TENANTS: required when MicrosoftAppId is set/],
    [{ MicrosoftAppId: APP, MicrosoftAppType: 'SingleTenant', NETPROOF_ALLOWED_TENANTS: TENANT }, /MicrosoftAppTenantId: required when MicrosoftAppType is SingleTenant/],
  ])('refuses %j at start-up, naming the variable', (environment, message) => {
    expect(() => botSettingsFromConfig(parseConfig(environment), null)).toThrow(message);
  });
});
