/**
 * Audit logs: one JSON line per entry, append only. A file (one replica, or a shared
 * volume), an append blob (several replicas; takes the narrow part of an
 * `@azure/storage-blob` AppendBlobClient), or memory (tests).
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEntry, AuditLog } from './ports.js';

/** The line written for an entry. */
export function auditLine(entry: AuditEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

/** Appends JSON lines to a file (created with its folder). */
export class FileAuditLog implements AuditLog {
  readonly #path: string;
  #ready: Promise<unknown> | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  async append(entry: AuditEntry): Promise<void> {
    this.#ready ??= mkdir(dirname(this.#path), { recursive: true });
    await this.#ready;
    await appendFile(this.#path, auditLine(entry), { encoding: 'utf8', mode: 0o600 });
  }
}

/** The part of an AppendBlobClient the audit log uses. */
export interface AppendBlobLike {
  createIfNotExists(): Promise<unknown>;
  appendBlock(body: string, contentLength: number): Promise<unknown>;
}

/** Appends JSON lines to an append blob (each entry one block, so replicas never overwrite each other). */
export class AppendBlobAuditLog implements AuditLog {
  readonly #blob: AppendBlobLike;
  #ready: Promise<unknown> | undefined;

  constructor(blob: AppendBlobLike) {
    this.#blob = blob;
  }

  async append(entry: AuditEntry): Promise<void> {
    this.#ready ??= this.#blob.createIfNotExists();
    await this.#ready;
    const line = auditLine(entry);
    await this.#blob.appendBlock(line, Buffer.byteLength(line));
  }
}

/** Entries in memory (tests). */
export class MemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];

  async append(entry: AuditEntry): Promise<void> {
    this.entries.push(JSON.parse(JSON.stringify(entry)) as AuditEntry);
  }
}
