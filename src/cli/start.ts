/**
 * `netproof start`: the Teams bot. Reads the configuration, builds the runtime (Azure,
 * or the embedded lab with the built-in scenarios when no Azure setting is given), the
 * state and artifact stores, and starts the bot server; then prints how to chat with
 * it locally. Stops cleanly on SIGINT/SIGTERM, letting running investigations answer.
 */
import pino from 'pino';
import { createArtifactStore, parseArtifactStoreSetting, type ArtifactStoreSetting } from '../azure/artifacts.js';
import { botSettingsFromConfig, createStateStorage, createWorkerCaptureAnalyser, loadAccessFile, startBotServer } from '../bot/index.js';
import { loadConfig, type Config } from '../config.js';
import type { Diagnoser } from '../diagnose/diagnose.js';
import { createRuntime, selectEstate } from '../main.js';

/**
 * Uploads and evidence packs go where the shared state goes: with
 * NETPROOF_STATE_STORE=blob:<connection string>|<container>, into `<container>-artifacts`
 * of the same account; else into memory.
 */
export function artifactStoreSettingOf(config: Pick<Config, 'NETPROOF_STATE_STORE'>): ArtifactStoreSetting {
  const state = config.NETPROOF_STATE_STORE.trim();
  if (!state.startsWith('blob:')) return { kind: 'memory' };
  const bar = state.lastIndexOf('|');
  const container = state.slice(bar + 1).trim();
  return parseArtifactStoreSetting(`${state.slice(0, bar)}|${container.slice(0, 53)}-artifacts`);
}

/** What `netproof start` prints once the bot listens. */
export function startBanner(options: { url: string; authenticated: boolean; estates: string[]; lab: boolean; llm: boolean }): string {
  const endpoint = `${options.url}/api/messages`;
  const lines = [
    `netproof: the Teams bot listens on ${endpoint}${options.authenticated ? '' : ' (no MicrosoftAppId: unauthenticated, loopback only)'}`,
    options.lab
      ? `netproof: investigating the embedded lab: ${options.estates.join(', ')}`
      : `netproof: investigating ${options.estates.join(', ')}`,
    options.llm ? 'netproof: LLM settings found, but no explainer is wired into the bot yet: answers come from the rules alone' : 'netproof: no LLM configured: answers come from the rules alone',
  ];
  if (!options.authenticated) {
    lines.push(
      '',
      'Chat with it locally in the Microsoft 365 Agents Playground (offline Teams client):',
      `  BOT_ENDPOINT=${endpoint} TEAMSAPPTESTER_PORT=56150 TEAMSAPPTESTER_BROWSER=none \\`,
      '  APPLICATION_INSIGHTS_NO_STATSBEAT=true npx agentsplayground --disable-telemetry',
      'then open http://localhost:56150 and ask, for example:',
      '  why can\'t 192.168.10.5 RDP to vm-app01?',
      '  help',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `netproof start`. */
export async function runStart(): Promise<void> {
  const config = loadConfig();
  const logger = pino({
    level: config.NETPROOF_LOG_LEVEL,
    base: { service: 'netproof' },
    // Nothing logs these on purpose; this catches an error object that carries a request with its token.
    redact: { paths: ['*.headers.authorization', '*.headers.Authorization', '*.request', '*.response', '*.downloadUrl', '*.*.downloadUrl'], censor: '[redacted]' },
  });
  const accessFile = config.NETPROOF_ACCESS_FILE ? await loadAccessFile(config.NETPROOF_ACCESS_FILE) : null;
  const settings = botSettingsFromConfig(config, accessFile);
  const storage = createStateStorage(config.NETPROOF_STATE_STORE);
  const artifacts = createArtifactStore(artifactStoreSettingOf(config));
  const runtime = await createRuntime(config, {});
  const diagnose: Diagnoser = async (request) => (await selectEstate(runtime, request.text)).diagnose(request);
  const running = await startBotServer({
    diagnose,
    analyzeCapture: createWorkerCaptureAnalyser({
      limits: {
        maxInputBytes: config.NETPROOF_LIMITS_UPLOAD_BYTES,
        maxDecompressedBytes: config.NETPROOF_LIMITS_DECOMPRESSED_BYTES,
        maxPackets: config.NETPROOF_LIMITS_PACKETS,
        maxConversations: config.NETPROOF_LIMITS_CONVERSATIONS,
      },
      ...(runtime.extraCaPem ? { extraCaPem: runtime.extraCaPem } : {}),
    }),
    artifacts,
    storage,
    // The entry layer owns the wall clock: retention and timestamps run on real time.
    clock: { now: () => new Date() },
    logger,
  }, settings);
  process.stdout.write(startBanner({
    url: running.url,
    authenticated: config.MicrosoftAppId !== '',
    estates: runtime.estates.map((estate) => estate.name),
    lab: runtime.lab !== null,
    llm: Boolean(config.OPENAI_API_KEY || config.AZURE_OPENAI_ENDPOINT),
  }));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: waiting for running investigations');
    void running.close()
      .then(() => runtime.close())
      .catch((error: unknown) => logger.error({ err: error }, 'error while stopping'))
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
