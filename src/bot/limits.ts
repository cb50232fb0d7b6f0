/**
 * Bounded concurrency of investigations (and capture analyses): at most N per
 * conversation (NETPROOF_LIMITS_INVESTIGATIONS_PER_CONVERSATION) and M in the whole
 * bot process (NETPROOF_LIMITS_INVESTIGATIONS). Over a limit the bot says so instead
 * of queueing: a queued answer could arrive long after the user stopped waiting.
 */

/** A granted slot; call `release` exactly once when the work ends. */
export interface Slot {
  release(): void;
}

/** Why no slot was granted. */
export type Refusal = { refused: 'conversation' | 'bot'; limit: number };

/** Counts running work per conversation and in total. */
export class InvestigationLimiter {
  readonly #perConversation: number;
  readonly #total: number;
  readonly #running = new Map<string, number>();
  #count = 0;

  constructor(limits: { perConversation: number; total: number }) {
    this.#perConversation = limits.perConversation;
    this.#total = limits.total;
  }

  /** Running work in the bot. */
  get running(): number {
    return this.#count;
  }

  /** Takes a slot for a conversation, or says which limit is reached. */
  tryAcquire(conversationKey: string): Slot | Refusal {
    const inConversation = this.#running.get(conversationKey) ?? 0;
    if (inConversation >= this.#perConversation) return { refused: 'conversation', limit: this.#perConversation };
    if (this.#count >= this.#total) return { refused: 'bot', limit: this.#total };
    this.#running.set(conversationKey, inConversation + 1);
    this.#count += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#count -= 1;
        const left = (this.#running.get(conversationKey) ?? 1) - 1;
        if (left <= 0) this.#running.delete(conversationKey);
        else this.#running.set(conversationKey, left);
      },
    };
  }
}

/** True when `tryAcquire` refused. */
export function isRefusal(value: Slot | Refusal): value is Refusal {
  return 'refused' in value;
}

/** The polite words for a refusal. */
export function refusalMessage(refusal: Refusal): string {
  return refusal.refused === 'conversation'
    ? `I am already working on ${refusal.limit} question${refusal.limit === 1 ? '' : 's'} in this conversation. Ask again once I have answered.`
    : 'I am busy with many investigations right now. Please ask again in a minute.';
}
