/** Canary values for every secret setting, shared by the pipeline's and the bot's secrets tests. */

/** One canary per secret, each unique enough to be found in any text. */
export const CANARIES = {
  MicrosoftAppPassword: 'canary-app-password-7f3e1a',
  OPENAI_API_KEY: 'sk-canary-openai-key-9b2d4c',
  AZURE_OPENAI_API_KEY: 'canary-azure-openai-key-51e0aa',
  storageAccountKey: 'Y2FuYXJ5LXN0b3JhZ2Uta2V5LTBhMWIyYw==',
  labToken: 'canary-lab-bearer-token-3c9f',
} as const;

/** The environment with a canary in every secret setting. */
export const SECRET_ENVIRONMENT: Record<string, string> = {
  MicrosoftAppPassword: CANARIES.MicrosoftAppPassword,
  OPENAI_API_KEY: CANARIES.OPENAI_API_KEY,
  AZURE_OPENAI_API_KEY: CANARIES.AZURE_OPENAI_API_KEY,
  NETPROOF_STATE_STORE: `DefaultEndpointsProtocol=https;AccountName=netproofstate;AccountKey=${CANARIES.storageAccountKey};EndpointSuffix=core.windows.net`,
};
