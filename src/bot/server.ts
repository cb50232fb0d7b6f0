/**
 * The bot's HTTP side: botbuilder `CloudAdapter` on `POST /api/messages` (express 5),
 * the evidence-pack links on `GET /evidence/:token`, and `GET /healthz`.
 *
 * Identity and auth come from botbuilder's own settings (MicrosoftAppId,
 * MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId) through
 * `ConfigurationBotFrameworkAuthentication`. With no app id the adapter accepts
 * unauthenticated traffic, so the server then listens on loopback only.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Request as BotRequest, type Response as BotResponse } from 'botbuilder';
import express from 'express';
import type { Config } from '../config.js';
import { AccessPolicy, type AccessFile } from './access.js';
import { NetproofBot, type BotServices, type BotSettings } from './bot.js';
import { internalErrorText } from './cards.js';
import { EVIDENCE_PATH, evidencePackHandler } from './evidence-pack.js';

/** botbuilder's identity settings, as named in the environment. */
export interface BotIdentity {
  MicrosoftAppId: string;
  MicrosoftAppPassword: string;
  MicrosoftAppType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  MicrosoftAppTenantId: string;
}

/** Default retention of uploads, verdicts and evidence packs: 7 days. */
export const DEFAULT_RETENTION_IN_MS = 7 * 24 * 60 * 60 * 1000;

/** Settings of the whole bot server. */
export interface BotServerSettings extends Omit<BotSettings, 'publicUrl' | 'appId'> {
  identity: BotIdentity;
  port: number;
  /** NETPROOF_PUBLIC_URL; default `http://127.0.0.1:<port>` once the port is known. */
  publicUrl?: string;
  /** Default: 127.0.0.1 without an app id, else all interfaces. */
  host?: string;
  /** How often expired artifacts are deleted (default hourly; 0 turns the sweep off). */
  sweepEveryInMs?: number;
}

/**
 * The bot settings from the parsed configuration. An authenticated bot (with an app id)
 * must name the tenants it serves: NETPROOF_ALLOWED_TENANTS, else MicrosoftAppTenantId.
 */
export function botSettingsFromConfig(config: Config, accessFile: AccessFile | null): BotServerSettings {
  const tenants = config.NETPROOF_ALLOWED_TENANTS.length > 0
    ? config.NETPROOF_ALLOWED_TENANTS
    : config.MicrosoftAppTenantId ? [config.MicrosoftAppTenantId] : null;
  if (config.MicrosoftAppId && tenants === null) {
    throw new Error('bad configuration: NETPROOF_ALLOWED_TENANTS: required when MicrosoftAppId is set (the Entra tenant ids whose users may use the bot)');
  }
  if (config.MicrosoftAppType === 'SingleTenant' && config.MicrosoftAppId && !config.MicrosoftAppTenantId) {
    throw new Error('bad configuration: MicrosoftAppTenantId: required when MicrosoftAppType is SingleTenant');
  }
  return {
    identity: {
      MicrosoftAppId: config.MicrosoftAppId,
      MicrosoftAppPassword: config.MicrosoftAppPassword,
      MicrosoftAppType: config.MicrosoftAppType,
      MicrosoftAppTenantId: config.MicrosoftAppTenantId,
    },
    port: config.PORT,
    ...(config.NETPROOF_PUBLIC_URL ? { publicUrl: config.NETPROOF_PUBLIC_URL } : {}),
    access: new AccessPolicy(tenants, accessFile),
    uploadLimitInBytes: config.NETPROOF_LIMITS_UPLOAD_BYTES,
    investigationsPerConversation: config.NETPROOF_LIMITS_INVESTIGATIONS_PER_CONVERSATION,
    investigations: config.NETPROOF_LIMITS_INVESTIGATIONS,
    retentionInMs: DEFAULT_RETENTION_IN_MS,
    redactEvidencePacks: false,
    explainTimeoutInMs: 20_000,
  };
}

/** A botbuilder CloudAdapter for an identity; turn errors are logged and answered politely. */
export function createAdapter(identity: BotIdentity, services: Pick<BotServices, 'logger'>): CloudAdapter {
  const authentication = new ConfigurationBotFrameworkAuthentication({ ...identity });
  const adapter = new CloudAdapter(authentication);
  adapter.onTurnError = async (context, error) => {
    const reference = randomUUID();
    services.logger.error({ err: error, correlationId: reference, activityId: context.activity?.id ?? null }, 'turn failed');
    try {
      await context.sendActivity(internalErrorText(reference));
    } catch (sendError) {
      services.logger.error({ err: sendError, correlationId: reference }, 'could not tell the user about the failure');
    }
  };
  return adapter;
}

/** The bot and its adapter, before any HTTP server. */
export function createBot(services: BotServices, settings: BotSettings & { identity: BotIdentity }): { bot: NetproofBot; adapter: CloudAdapter } {
  const adapter = createAdapter(settings.identity, services);
  const bot = new NetproofBot(services, { ...settings, appId: settings.identity.MicrosoftAppId }, adapter);
  return { bot, adapter };
}

/** A running bot server. */
export interface RunningBot {
  /** `http://host:port` as bound. */
  url: string;
  port: number;
  publicUrl: string;
  bot: NetproofBot;
  adapter: CloudAdapter;
  /** Stops accepting requests, waits for running investigations to answer, closes. */
  close(): Promise<void>;
}

/** Starts the HTTP server and the bot. */
export async function startBotServer(services: BotServices, settings: BotServerSettings): Promise<RunningBot> {
  const authenticated = settings.identity.MicrosoftAppId !== '';
  const host = settings.host ?? (authenticated ? '0.0.0.0' : '127.0.0.1');
  const app = express();
  app.disable('x-powered-by');
  let running: { bot: NetproofBot; adapter: CloudAdapter } | undefined = undefined;

  app.post('/api/messages', express.json({ limit: '1mb' }), async (request, response) => {
    if (!running) {
      response.status(503).end();
      return;
    }
    const { adapter, bot } = running;
    await adapter.process(request as unknown as BotRequest, response as unknown as BotResponse, (context) => bot.run(context));
  });
  app.get(`${EVIDENCE_PATH}/:token`, evidencePackHandler(services.artifacts, () => services.clock.now(), (error) => services.logger.error({ err: error }, 'evidence pack read failed')));
  app.get('/healthz', (_request, response) => {
    response.json({ ok: true, running: running?.bot.running ?? 0 });
  });

  const server: Server = app.listen(settings.port, host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  const publicUrl = settings.publicUrl ?? `http://127.0.0.1:${port}`;
  running = createBot(services, { ...settings, publicUrl, appId: settings.identity.MicrosoftAppId });

  const sweepEvery = settings.sweepEveryInMs ?? 60 * 60 * 1000;
  const sweeper = sweepEvery > 0 ? setInterval(() => {
    services.artifacts.sweep(services.clock.now())
      .then((removed) => { if (removed > 0) services.logger.info({ removed }, 'expired artifacts deleted'); })
      .catch((error: unknown) => services.logger.warn({ err: error }, 'artifact sweep failed'));
  }, sweepEvery) : undefined;
  sweeper?.unref();

  if (authenticated) {
    services.logger.info({ port, host, appId: settings.identity.MicrosoftAppId, publicUrl }, 'netproof bot listening');
  } else {
    services.logger.warn({ port, host, publicUrl }, 'no MicrosoftAppId: accepting unauthenticated local traffic, listening on loopback only');
  }
  const bot = running.bot;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    publicUrl,
    bot,
    adapter: running.adapter,
    close: async () => {
      if (sweeper) clearInterval(sweeper);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await bot.idle();
      server.closeAllConnections();
      await closed;
    },
  };
}
