/** Structured logging as an injectable dependency. Every message passes through {@link redact}. */
import { redact } from "./errors.ts";

/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** A structured logger. `fields` must be JSON-serialisable. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Discards everything (the default). */
export const silentLogger: Logger = { log() {} };

/** One captured log line (see {@link memoryLogger}). */
export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

/**
 * Wraps a logger so messages and fields are redacted before they reach it.
 * `secrets` are exact values (passwords, tokens) to mask wherever they appear.
 */
export function redactingLogger(inner: Logger, secrets: readonly string[] = []): Logger {
  return {
    log(level, message, fields) {
      const safeFields = fields === undefined ? undefined : (JSON.parse(redact(JSON.stringify(fields), secrets)) as Record<string, unknown>);
      inner.log(level, redact(message, secrets), safeFields);
    },
  };
}

/** Keeps records in memory, for tests and for the secret scanner. */
export function memoryLogger(): Logger & { readonly records: LogRecord[] } {
  const records: LogRecord[] = [];
  return {
    records,
    log(level, message, fields) {
      records.push(fields === undefined ? { level, message } : { level, message, fields });
    },
  };
}
