/**
 * The capture-job engine's notifier, bound to the bot once it runs. The engine is built
 * before the bot (the bot takes it as a service) and the bot posts through its adapter, so
 * the composition root creates this first, hands it to the engine, and binds the bot when
 * the server is up. Before that, a post fails and the engine keeps the message and retries.
 */
import type { CaptureNotifier, OutboxMessage } from '../capture-jobs/index.js';
import type { NetproofBot } from './bot.js';

/** A CaptureNotifier that posts through the bot (`NetproofBot.postCaptureMessage`). */
export class BotCaptureNotifier implements CaptureNotifier {
  #bot: Pick<NetproofBot, 'postCaptureMessage'> | null = null;

  /** Posts through this bot from now on. */
  bind(bot: Pick<NetproofBot, 'postCaptureMessage'>): void {
    this.#bot = bot;
  }

  async post(conversation: Record<string, unknown>, message: OutboxMessage): Promise<void> {
    if (!this.#bot) throw new Error('the bot is not running yet: the capture message stays in the job\'s outbox');
    await this.#bot.postCaptureMessage(conversation, message);
  }
}
