/**
 * `netproof start`: the Teams bot. Reads the configuration, builds the runtime (Azure,
 * or the embedded lab with the built-in scenarios when no Azure setting is given), the
 * state and artifact stores, the estates the bot picks from (each with its LLM assistant
 * and flow-log coverage), the packet-capture job engine over the bot's own storage, and
 * starts the bot server; then resumes unfinished capture jobs and prints how to chat with
 * it locally. On SIGINT/SIGTERM it stops taking turns, lets running ones answer, and
 * leaves capture jobs resumable (their leases released for another replica).
 */
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BlobServiceClient } from '@azure/storage-blob';
import pino from 'pino';
import { createArtifactStore, parseArtifactStoreSetting, type ArtifactStoreSetting } from '../azure/artifacts.js';
import { BotCaptureNotifier, botSettingsFromConfig, createStateStorage, createWorkerCaptureAnalyser, loadAccessFile, startBotServer } from '../bot/index.js';
import { AppendBlobAuditLog, CaptureJobs, CaptureJobStore, FileAuditLog, realTimers, type AuditLog } from '../capture-jobs/index.js';
import { loadConfig, type Config } from '../config.js';
import type { Diagnoser } from '../diagnose/diagnose.js';
import { botEstatesOf, captureEstatesOf, createRuntime } from '../main.js';

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

/**
 * Where the packet-capture audit log goes: NETPROOF_CAPTURE_AUDIT_DIR/captures.jsonl when set; else, with
 * Blob state, the append blob `captures.jsonl` in `<container>-audit` of the same account; else
 * ./netproof-audit/captures.jsonl.
 */
export function auditLogSettingOf(config: Pick<Config, 'NETPROOF_STATE_STORE' | 'NETPROOF_CAPTURE_AUDIT_DIR'>): { kind: 'file'; path: string } | { kind: 'blob'; connectionString: string; container: string; blob: string } {
  if (config.NETPROOF_CAPTURE_AUDIT_DIR) return { kind: 'file', path: join(config.NETPROOF_CAPTURE_AUDIT_DIR, 'captures.jsonl') };
  const state = artifactStoreSettingOf(config);
  if (state.kind === 'blob') return { kind: 'blob', connectionString: state.connectionString, container: `${state.container.replace(/-artifacts$/, '').slice(0, 57)}-audit`, blob: 'captures.jsonl' };
  return { kind: 'file', path: join('netproof-audit', 'captures.jsonl') };
}

function auditLogOf(config: Config): AuditLog {
  const setting = auditLogSettingOf(config);
  if (setting.kind === 'file') return new FileAuditLog(setting.path);
  const container = BlobServiceClient.fromConnectionString(setting.connectionString).getContainerClient(setting.container);
  const blob = container.getAppendBlobClient(setting.blob);
  // The container first, then the blob: an append log in a container that does not exist yet.
  let ready: Promise<unknown> | undefined;
  return new AppendBlobAuditLog({
    createIfNotExists: () => (ready ??= container.createIfNotExists().then(() => blob.createIfNotExists())),
    appendBlock: (body, contentLength) => blob.appendBlock(body, contentLength),
  });
}

/** What `netproof start` prints once the bot listens. */
export function startBanner(options: {
  url: string; authenticated: boolean; estates: string[]; lab: boolean; llm: boolean;
  /** The assistant's model, when an LLM is configured. */
  llmDescription?: string | null;
  /** Capture jobs resumed at start. */
  resumedCaptures?: number;
  /** Where the capture audit log goes, in words. */
  audit?: string;
}): string {
  const endpoint = `${options.url}/api/messages`;
  const lines = [
    `netproof: the Teams bot listens on ${endpoint}${options.authenticated ? '' : ' (no MicrosoftAppId: unauthenticated, loopback only)'}`,
    options.lab
      ? `netproof: investigating the embedded lab (${options.estates.length} scenario${options.estates.length === 1 ? '' : 's'}): ${options.estates.join(', ')}`
      : `netproof: investigating ${options.estates.join(', ')}`,
    options.llm
      ? `netproof: LLM ${options.llmDescription ?? 'configured'}: it picks tools and phrases answers; the rules decide the cause`
      : 'netproof: no LLM configured: answers come from the rules alone',
    `netproof: packet captures from chat need a confirmation by ${options.lab ? 'anyone in the lab (nothing real is captured)' : 'a capture approver (NETPROOF_CAPTURE_APPROVERS)'}${options.audit ? `; audit log: ${options.audit}` : ''}${options.resumedCaptures ? `; ${options.resumedCaptures} unfinished capture job(s) resumed` : ''}`,
  ];
  if (!options.authenticated) {
    // The README's demo scenario when it is there: the example question below is its own.
    const demo = options.estates.find((name) => /(?:^|-)rdp-remote-site$/.test(name)) ?? options.estates[0] ?? 'rdp-remote-site';
    lines.push(
      '',
      'Chat with it locally in the Microsoft 365 Agents Playground (offline Teams client), in another terminal:',
      `  BOT_ENDPOINT=${endpoint} TEAMSAPPTESTER_PORT=56150 TEAMSAPPTESTER_BROWSER=none \\`,
      '  APPLICATION_INSIGHTS_NO_STATSBEAT=true npx agentsplayground --disable-telemetry',
      'then open http://localhost:56150 and say, for example:',
      '  help',
      ...(options.lab && options.estates.length > 1 ? [
        '  scenarios                      (one line per lab scenario, with its question)',
        `  use ${demo.replace(/^example-/, '')}`,
      ] : []),
      '  why can\'t 192.168.10.5 RDP to vm-app01 between 14:00 and 14:30 UTC?',
      '  flow log coverage',
      'or without a browser, through the playground\'s HTTP API (the reply shows in the playground):',
      '  CHAT=$(curl -s localhost:56150/_internal/v1/config | node -pe "JSON.parse(require(\'fs\').readFileSync(0)).config.personalChat.id")',
      '  curl -s -X POST "localhost:56150/_conversation/v1/conversations/$CHAT/messages" -H \'content-type: application/json\' \\',
      '    -d \'{"from":{"id":"user-id-0"},"text":"scenarios","textFormat":"plain"}\'',
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
  // The lab (no Azure settings) runs in a child process: the bot's event loop answers Teams, the emulator's KQL engine does not share it.
  const runtime = await createRuntime(config, { labProcess: true });
  const estates = botEstatesOf(runtime);
  const diagnose: Diagnoser = async (request) => (await estates.select(request.text)).diagnose(request);
  const analyzeCapture = createWorkerCaptureAnalyser({
    limits: {
      maxInputBytes: config.NETPROOF_LIMITS_UPLOAD_BYTES,
      maxDecompressedBytes: config.NETPROOF_LIMITS_DECOMPRESSED_BYTES,
      maxPackets: config.NETPROOF_LIMITS_PACKETS,
      maxConversations: config.NETPROOF_LIMITS_CONVERSATIONS,
    },
    ...(runtime.extraCaPem ? { extraCaPem: runtime.extraCaPem } : {}),
  });
  const [firstEstate] = runtime.estates;
  if (!firstEstate) throw new Error('netproof start: the runtime has no estate');
  // The engine posts through the bot, which takes the engine: the notifier is bound once the bot runs.
  const notifier = new BotCaptureNotifier();
  const auditSetting = auditLogSettingOf(config);
  const captureJobs = new CaptureJobs({
    // Jobs live where conversation state lives (memory, or Blob for several replicas).
    store: new CaptureJobStore(storage),
    estates: captureEstatesOf(runtime),
    notifier,
    audit: auditLogOf(config),
    // The engine's default clock; each estate brings its own (captureEstatesOf), so a job runs on its scenario's time.
    clock: { now: () => firstEstate.now() },
    timers: realTimers,
    analyse: (stream) => analyzeCapture(stream as Readable),
    approvers: config.NETPROOF_CAPTURE_APPROVERS,
    authenticated: config.MicrosoftAppId !== '',
    limits: { maxDurationInSeconds: config.NETPROOF_LIMITS_CAPTURE_SECONDS, maxBytes: config.NETPROOF_LIMITS_CAPTURE_BYTES },
    ...(config.NETPROOF_CAPTURE_STORAGE_ID ? { storageId: config.NETPROOF_CAPTURE_STORAGE_ID } : {}),
  });
  const running = await startBotServer({
    diagnose,
    estates,
    captureJobs,
    analyzeCapture,
    artifacts,
    storage,
    // The entry layer owns the wall clock: retention and timestamps run on real time.
    clock: { now: () => new Date() },
    logger,
  }, settings);
  notifier.bind(running.bot);
  const resumed = await captureJobs.resume();
  if (resumed.length > 0) logger.info({ jobs: resumed }, 'unfinished capture jobs resumed');
  const assistant = estates.list.find((estate) => estate.assistant)?.assistant ?? null;
  if (assistant) logger.info({ model: assistant.description }, 'LLM assistant wired into the bot');
  process.stdout.write(startBanner({
    url: running.url,
    authenticated: config.MicrosoftAppId !== '',
    estates: runtime.estates.map((estate) => estate.name),
    lab: runtime.lab !== null,
    llm: assistant !== null,
    llmDescription: assistant?.description ?? null,
    resumedCaptures: resumed.length,
    audit: auditSetting.kind === 'file' ? auditSetting.path : `append blob ${auditSetting.container}/${auditSetting.blob}`,
  }));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: no new turns; waiting for running investigations; capture jobs stay resumable');
    // Turns first (the server stops accepting, running work answers), then the capture engine: its
    // steps finish, its timers stop and its leases are released, so a restart or another replica resumes the jobs.
    void running.close()
      .then(() => captureJobs.close({ releaseLeases: true }))
      .then(() => runtime.close())
      .catch((error: unknown) => logger.error({ err: error }, 'error while stopping'))
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
