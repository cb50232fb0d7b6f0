/**
 * The chat model client: the `openai` package against OpenAI or any OpenAI-compatible
 * server (OPENAI_BASE_URL: Ollama, vLLM, LM Studio ...), or Azure OpenAI (a deployment
 * and an API version; an API key, or an Entra ID token provider). Every value comes
 * from the parsed config; the client never reads the environment itself.
 */
import OpenAI, { AzureOpenAI } from 'openai';
import type { Config } from '../config.js';

/** Which endpoint the assistant talks to. */
export type LlmSettings =
  | { provider: 'openai'; apiKey: string; baseUrl: string; model: string }
  | { provider: 'azure'; endpoint: string; deployment: string; apiVersion: string; apiKey: string | null };

/** OpenAI's public endpoint. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** The model used against OpenAI when OPENAI_MODEL is not set. */
export const OPENAI_DEFAULT_MODEL = 'gpt-4o-mini';
/** The Azure OpenAI data-plane API version used when AZURE_OPENAI_API_VERSION is not set (GA, supports tools). */
export const AZURE_OPENAI_DEFAULT_API_VERSION = '2024-10-21';

/** The LLM settings of a config, or null when none is set (the rules answer alone). Throws naming a missing variable. */
export function llmSettings(config: Config): LlmSettings | null {
  if (config.AZURE_OPENAI_ENDPOINT) {
    if (!config.AZURE_OPENAI_DEPLOYMENT) throw new Error('bad configuration: AZURE_OPENAI_DEPLOYMENT is required with AZURE_OPENAI_ENDPOINT');
    return {
      provider: 'azure',
      endpoint: config.AZURE_OPENAI_ENDPOINT,
      deployment: config.AZURE_OPENAI_DEPLOYMENT,
      apiVersion: config.AZURE_OPENAI_API_VERSION ?? AZURE_OPENAI_DEFAULT_API_VERSION,
      apiKey: config.AZURE_OPENAI_API_KEY ?? null,
    };
  }
  if (config.OPENAI_API_KEY || config.OPENAI_BASE_URL) {
    const baseUrl = config.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL;
    const custom = config.OPENAI_BASE_URL !== undefined && config.OPENAI_BASE_URL !== OPENAI_DEFAULT_BASE_URL;
    if (custom && !config.OPENAI_MODEL) throw new Error('bad configuration: OPENAI_MODEL is required with OPENAI_BASE_URL (the model name the server knows, e.g. llama3.1)');
    // Local OpenAI-compatible servers need no key, but the client insists on one.
    return { provider: 'openai', apiKey: config.OPENAI_API_KEY ?? 'no-key', baseUrl, model: config.OPENAI_MODEL ?? OPENAI_DEFAULT_MODEL };
  }
  return null;
}

/** How the client behaves on the wire. */
export interface ClientOptions {
  /** Per request, milliseconds. */
  timeoutInMs: number;
  /** Retries on connection errors, 408, 409, 429 and 5xx, with exponential backoff honouring Retry-After. */
  maxRetries: number;
  /** Entra ID bearer tokens for Azure OpenAI without an API key. */
  azureTokenProvider?: () => Promise<string>;
}

/** A client and the model name to send. */
export interface ChatClient {
  client: OpenAI;
  model: string;
  /** For messages: "OpenAI-compatible at http://..." or "Azure OpenAI deployment ...". */
  description: string;
}

/** Builds the client. Azure without a key and without a token provider is a configuration error. */
export function createChatClient(settings: LlmSettings, options: ClientOptions): ChatClient {
  const common = { timeout: options.timeoutInMs, maxRetries: options.maxRetries, organization: null, project: null };
  if (settings.provider === 'openai') {
    return {
      client: new OpenAI({ ...common, apiKey: settings.apiKey, baseURL: settings.baseUrl }),
      model: settings.model,
      description: `${settings.model} at ${settings.baseUrl}`,
    };
  }
  const credentials = settings.apiKey !== null
    ? { apiKey: settings.apiKey }
    : options.azureTokenProvider
      ? { azureADTokenProvider: options.azureTokenProvider }
      : null;
  if (credentials === null) {
    throw new Error('bad configuration: AZURE_OPENAI_API_KEY is not set and no Entra ID token provider was given (the composition root passes getBearerTokenProvider(new DefaultAzureCredential(), "https://cognitiveservices.azure.com/.default"))');
  }
  return {
    client: new AzureOpenAI({ ...common, ...credentials, endpoint: settings.endpoint, deployment: settings.deployment, apiVersion: settings.apiVersion }),
    model: settings.deployment,
    description: `Azure OpenAI deployment ${settings.deployment} at ${settings.endpoint}`,
  };
}
