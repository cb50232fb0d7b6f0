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
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../config.js';
import { AccessPolicy, type AccessFile } from './access.js';
import { NetproofBot, correlationIdOf, type BotServices, type BotSettings } from './bot.js';
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

/**
 * botbuilder's CloudAdapter, with the HTTP side kept here: `CloudAdapter.process` answers a
 * jsonwebtoken failure (a forged signature, `alg: none`) with 500 and the error's message as the
 * body, writes the error to the console, and lets a body without a `type` string escape as an
 * exception. `processRequest` runs the same authentication and turn, and leaves the answer to us.
 */
export class NetproofAdapter extends CloudAdapter {
  /** Authenticates the request (its Authorization header) and runs the turn; throws what botbuilder throws. */
  processRequest(authorization: string, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(authorization, activity, logic);
  }
}

/** Names of the errors jsonwebtoken throws from `verify`, which botbuilder lets through unwrapped. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/** True when a failure of `processRequest` means the caller is not authenticated (botbuilder's AuthenticationError, or jsonwebtoken's). */
export function isAuthenticationFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // AuthenticationError is not exported by botbuilder: recognised by its class name, as CloudAdapter's instanceof would.
  return TOKEN_ERRORS.has(error.name) || error.constructor.name === 'AuthenticationError';
}

/** Seconds a client is told to wait (Retry-After) while the server drains for shutdown. */
export const DRAIN_RETRY_AFTER_IN_SECONDS = 5;

/** A botbuilder CloudAdapter for an identity; turn errors are logged and answered politely. */
export function createAdapter(identity: BotIdentity, services: Pick<BotServices, 'logger'>): NetproofAdapter {
  const authentication = new ConfigurationBotFrameworkAuthentication({ ...identity });
  const adapter = new NetproofAdapter(authentication);
  adapter.onTurnError = async (context, error) => {
    // The turn's own id when the bot had started it, so its earlier lines and this one match.
    const reference = correlationIdOf(context) ?? randomUUID();
    services.logger.error({ err: error, correlationId: reference, conversationId: context.activity?.conversation?.id ?? null, activityId: context.activity?.id ?? null }, 'turn failed');
    try {
      await context.sendActivity(internalErrorText(reference));
    } catch (sendError) {
      services.logger.error({ err: sendError, correlationId: reference }, 'could not tell the user about the failure');
    }
  };
  return adapter;
}

/**
 * What every activity Bot Service sends carries, and what a reply needs: a type, a conversation id and
 * the service URL. Without them botbuilder fails inside the turn (a reply to no conversation throws).
 */
function isWellFormedActivity(body: unknown): body is Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { type, conversation, serviceUrl } = body as { type?: unknown; conversation?: unknown; serviceUrl?: unknown };
  const conversationId = typeof conversation === 'object' && conversation !== null ? (conversation as { id?: unknown }).id : undefined;
  return typeof type === 'string' && type !== '' && typeof conversationId === 'string' && conversationId !== '' && typeof serviceUrl === 'string' && serviceUrl !== '';
}

/** An activity's timestamps as Date objects, as botbuilder's `validateAndFixActivity` leaves them. */
function activityOf(body: Record<string, unknown>): Activity {
  const activity = { ...body } as Record<string, unknown>;
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['expiration', 'rawExpiration'], ['localTimestamp', 'rawLocalTimestamp']] as const) {
    const value = activity[field];
    if (typeof value === 'string') {
      activity[raw] = value;
      activity[field] = new Date(value);
    }
  }
  return activity as unknown as Activity;
}

/** The bot and its adapter, before any HTTP server. */
export function createBot(services: BotServices, settings: BotSettings & { identity: BotIdentity }): { bot: NetproofBot; adapter: NetproofAdapter } {
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
  adapter: NetproofAdapter;
  /**
   * Drains, then closes: new requests to /api/messages get 503 with Retry-After (and
   * `Connection: close`), turns already in their HTTP request and investigations already
   * running answer, and only then does the server stop listening.
   */
  close(): Promise<void>;
}

/** Starts the HTTP server and the bot. */
export async function startBotServer(services: BotServices, settings: BotServerSettings): Promise<RunningBot> {
  const authenticated = settings.identity.MicrosoftAppId !== '';
  const host = settings.host ?? (authenticated ? '0.0.0.0' : '127.0.0.1');
  const app = express();
  app.disable('x-powered-by');
  let running: { bot: NetproofBot; adapter: NetproofAdapter } | undefined = undefined;
  let draining = false;
  /** Requests to /api/messages inside their turn now; the drain waits for them. */
  let inRequest = 0;
  let requestsDone: (() => void) | null = null;

  const unavailable = (response: Response) => {
    response.status(503).set('Retry-After', String(DRAIN_RETRY_AFTER_IN_SECONDS)).set('Connection', 'close').end();
  };
  app.post('/api/messages', (request, response, next) => {
    // Refused before the body is read: a draining server takes no new turn.
    if (draining || !running) {
      unavailable(response);
      return;
    }
    next();
  }, express.json({ limit: '1mb' }), async (request, response) => {
    if (draining || !running) {
      unavailable(response);
      return;
    }
    const body: unknown = request.body;
    if (!isWellFormedActivity(body)) {
      response.status(400).end();
      return;
    }
    const { adapter, bot } = running;
    const authorization = request.headers.authorization ?? '';
    inRequest += 1;
    try {
      const answer = await adapter.processRequest(authorization, activityOf(body), (context) => bot.run(context));
      response.status(answer?.status ?? 200);
      if (answer?.body !== undefined && answer.body !== null) response.send(answer.body);
      response.end();
    } catch (error) {
      if (isAuthenticationFailure(error)) {
        // Why a token was refused stays in the log: the caller learns only that it was.
        services.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'request refused: not authenticated');
        response.status(401).end();
      } else {
        services.logger.error({ err: error }, 'request failed');
        response.status(500).end();
      }
    } finally {
      inRequest -= 1;
      if (inRequest === 0) requestsDone?.();
    }
  });
  app.get(`${EVIDENCE_PATH}/:token`, evidencePackHandler(services.artifacts, () => services.clock.now(), (error) => services.logger.error({ err: error }, 'evidence pack read failed')));
  app.get('/healthz', (_request, response) => {
    // A load balancer stops sending traffic to a draining replica.
    response.status(draining ? 503 : 200).json({ ok: !draining, draining, running: running?.bot.running ?? 0 });
  });
  // Malformed JSON, an over-long body: the status alone (express's default page would carry the stack trace).
  app.use((error: unknown, _request: Request, response: Response, next: NextFunction) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const status = typeof error === 'object' && error !== null && typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500;
    if (status >= 500) services.logger.error({ err: error }, 'request failed');
    response.status(status >= 400 && status < 600 ? status : 500).end();
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
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    publicUrl,
    bot,
    adapter: running.adapter,
    close: () => (closing ??= (async () => {
      if (sweeper) clearInterval(sweeper);
      draining = true;
      // A turn may start work outside it, and that work answers before the server closes.
      do {
        if (inRequest > 0) await new Promise<void>((resolve) => { requestsDone = resolve; });
        await bot.idle();
      } while (inRequest > 0);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      server.closeAllConnections();
      await closed;
    })()),
  };
}
