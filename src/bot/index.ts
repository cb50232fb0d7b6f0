/** The Teams bot: what the composition root and `netproof start` use. */
export { NetproofBot, findEstate, type BotEstate, type BotEstates, type BotServices, type BotSettings, type Clock, type ProactiveAdapter } from './bot.js';
export { BotCaptureNotifier } from './capture-notifier.js';
export {
  createAdapter, createBot, startBotServer, botSettingsFromConfig, DEFAULT_RETENTION_IN_MS,
  type BotIdentity, type BotServerSettings, type RunningBot,
} from './server.js';
export { AccessPolicy, AccessFileSchema, loadAccessFile, parseAccessFile, type AccessFile } from './access.js';
export { createStateStorage, ConversationStore } from './state.js';
export { createWorkerCaptureAnalyser, type CaptureAnalyser } from './uploads.js';
export type { Explainer, ExplainInput } from './explainer.js';
