/**
 * The environment, parsed once with zod (CONTRACTS.md section 5). This is the only
 * reader of process.env; a bad value fails at start-up naming the variable.
 */
import { z } from 'zod';

const csv = z.string().optional().transform((value) => (value ?? '').split(',').map((part) => part.trim()).filter(Boolean));
const integer = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every setting netproof reads, with its default. */
export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  MicrosoftAppId: z.string().default(''),
  MicrosoftAppPassword: z.string().default(''),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: z.string().default(''),
  NETPROOF_PUBLIC_URL: z.url().optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_MODEL: z.string().optional(),
  AZURE_OPENAI_ENDPOINT: z.url().optional(),
  AZURE_OPENAI_DEPLOYMENT: z.string().optional(),
  AZURE_OPENAI_API_KEY: z.string().optional(),
  AZURE_OPENAI_API_VERSION: z.string().optional(),
  AZURE_SUBSCRIPTION_ID: csv,
  AZURE_LOG_ANALYTICS_WORKSPACE_ID: csv,
  NETPROOF_SCENARIO: z.string().optional(),
  NETPROOF_ALLOWED_TENANTS: csv,
  NETPROOF_ACCESS_FILE: z.string().optional(),
  NETPROOF_CAPTURE_APPROVERS: csv,
  NETPROOF_CAPTURE_STORAGE_ID: z.string().optional(),
  /** Folder of the packet-capture audit log (captures.jsonl); default ./netproof-audit, or an append blob beside Blob state. */
  NETPROOF_CAPTURE_AUDIT_DIR: z.string().optional(),
  NETPROOF_STATE_STORE: z.string().default('memory'),
  NETPROOF_TIMEZONE: z.string().optional(),
  NETPROOF_EXTRA_CA_FILE: z.string().optional(),
  NETPROOF_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest upload the bot accepts, bytes. */
  NETPROOF_LIMITS_UPLOAD_BYTES: integer(200 * 1024 * 1024),
  /** Largest capture input after gzip decompression, bytes. */
  NETPROOF_LIMITS_DECOMPRESSED_BYTES: integer(4 * 1024 * 1024 * 1024),
  /** Largest capture file `netproof capture` reads, bytes. */
  NETPROOF_LIMITS_CAPTURE_FILE_BYTES: integer(4 * 1024 * 1024 * 1024),
  /** Packets read from one capture before it is cut short with a warning. */
  NETPROOF_LIMITS_PACKETS: integer(50_000_000),
  /** Conversations tracked in one capture before new ones are counted only. */
  NETPROOF_LIMITS_CONVERSATIONS: integer(1_000_000),
  /** Rows fetched per Log Analytics query. */
  NETPROOF_LIMITS_QUERY_ROWS: integer(500),
  /** Per-source timeout of an investigation, milliseconds. */
  NETPROOF_LIMITS_SOURCE_TIMEOUT_MS: integer(30_000),
  /** How long the estate read from Resource Graph (ARM configuration: route tables, NSGs, peerings) is reused, milliseconds. */
  NETPROOF_LIMITS_ESTATE_MAX_AGE_MS: integer(300_000),
  /** LLM tool-call rounds per turn. */
  NETPROOF_LIMITS_TOOL_ROUNDS: integer(8),
  /** LLM tokens per turn. */
  NETPROOF_LIMITS_TOKENS_PER_TURN: integer(60_000),
  /** Investigations running at once in one conversation. */
  NETPROOF_LIMITS_INVESTIGATIONS_PER_CONVERSATION: integer(2),
  /** Investigations running at once in the whole bot. */
  NETPROOF_LIMITS_INVESTIGATIONS: integer(32),
  /** Longest packet capture, seconds. */
  NETPROOF_LIMITS_CAPTURE_SECONDS: integer(600),
  /** Most bytes one packet capture may write. */
  NETPROOF_LIMITS_CAPTURE_BYTES: integer(100 * 1024 * 1024),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Parses an environment; throws one error naming each bad variable. */
export function parseConfig(environment: Record<string, string | undefined>): Config {
  const result = ConfigSchema.safeParse(environment);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`bad configuration: ${problems}`);
  }
  return result.data;
}

/** The process environment, parsed. */
export function loadConfig(): Config {
  return parseConfig(process.env);
}
