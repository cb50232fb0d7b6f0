/**
 * The real Azure Storage emulator (Azurite, blob only) as a child process: loopback, ephemeral port,
 * in-memory, no telemetry. Each scenario storage account becomes an Azurite account.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { CaptureStorage } from './state.js';

/** Azurite's well-known development account. */
export const DEVELOPMENT_ACCOUNT = 'devstoreaccount1';
const DEVELOPMENT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running Azurite. */
export interface Azurite extends CaptureStorage {
  /** `http://127.0.0.1:PORT` (path-style: the account is the first path segment). */
  url: string;
  /** Account names and keys. */
  accounts: ReadonlyMap<string, string>;
  /** The account's blob endpoint, `http://127.0.0.1:PORT/<account>`. */
  accountUrl(account: string): string;
  /** A shared-key credential for the account. */
  credential(account: string): StorageSharedKeyCredential;
  close(): Promise<void>;
}

/** Azurite children alive: killed when this process ends without closing them (an uncaught error, process.exit, an EPIPE on stdout). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A storage account name Azure accepts: 3 to 24 lowercase letters and digits. */
export function isStorageAccountName(name: string): boolean {
  return /^[a-z0-9]{3,24}$/.test(name);
}

/** A deterministic key per account (the lab's accounts are fake; Azure keys are 64 random bytes in base64). */
export function accountKey(account: string): string {
  return account === DEVELOPMENT_ACCOUNT ? DEVELOPMENT_KEY : createHash('sha512').update(`netproof-lab:${account}`).digest('base64');
}

/** Starts Azurite with these accounts (plus the development account); resolves once it listens. */
export async function startAzurite(accountNames: Iterable<string>, startTimeoutInMs = 20_000): Promise<Azurite> {
  const accounts = new Map<string, string>([[DEVELOPMENT_ACCOUNT, accountKey(DEVELOPMENT_ACCOUNT)]]);
  for (const name of accountNames) if (isStorageAccountName(name)) accounts.set(name, accountKey(name));
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  const child = spawn(
    process.execPath,
    [main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--skipApiVersionCheck', '--loose', '--disableTelemetry', '--silent'],
    {
      cwd: tmpdir(),
      // Only what Azurite needs: the accounts. Nothing of the caller's environment is passed on.
      env: { AZURITE_ACCOUNTS: [...accounts].map(([name, key]) => `${name}:${key}`).join(';') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  const url = await waitForListening(child, startTimeoutInMs);
  return azuriteAt(url, accounts, () => stopChild(child));
}

/** A handle on an Azurite listening at `url` with these accounts (one started here, or by a lab in another process). */
export function azuriteAt(url: string, accounts: ReadonlyMap<string, string>, close: () => Promise<void>): Azurite {
  const credentials = new Map<string, StorageSharedKeyCredential>();
  const credential = (account: string): StorageSharedKeyCredential => {
    const key = accounts.get(account);
    if (!key) throw new Error(`storage account ${account} is not in the lab`);
    let value = credentials.get(account);
    if (!value) {
      value = new StorageSharedKeyCredential(account, key);
      credentials.set(account, value);
    }
    return value;
  };
  const accountUrl = (account: string): string => `${url}/${account}`;
  return {
    url,
    accounts,
    accountUrl,
    credential,
    hasAccount: (account) => accounts.has(account),
    async write(account, container, blobName, content) {
      const service = new BlobServiceClient(accountUrl(account), credential(account));
      const containerClient = service.getContainerClient(container);
      await containerClient.createIfNotExists();
      await containerClient.getBlockBlobClient(blobName).uploadData(content);
    },
    close,
  };
}

function waitForListening(child: ChildProcess, timeoutInMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within ${timeoutInMs} ms: ${output.trim()}`)), timeoutInMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = /listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        cleanup();
        resolve(match[1]);
      }
    };
    const onExit = (code: number | null): void => fail(new Error(`Azurite exited (${code ?? 'signal'}) before listening: ${output.trim()}`));
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', fail);
      // Keep draining so a chatty child never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
    }
    function fail(error: Error): void {
      cleanup();
      child.kill();
      reject(error);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
