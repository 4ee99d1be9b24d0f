import pino from "pino";

export type Logger = pino.Logger;

/**
 * Keys whose values are never written to a log line, wherever they appear in the logged object.
 * Redaction is central so that no call site has to remember it.
 */
const REDACTED_KEYS = [
  "password",
  "newPassword",
  "currentPassword",
  "token",
  "secret",
  "key",
  "apiKey",
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-opsc-internal-token",
  "backupCodes",
  "totpURI",
];

const paths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*["${key}"]`, `*.*["${key}"]`]);

export function createLogger(options: { service: string; level?: string }): Logger {
  return pino({
    level: options.level ?? "info",
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths, censor: "[redacted]" },
  });
}
