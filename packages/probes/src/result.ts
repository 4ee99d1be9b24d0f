import type { CONNECTION_ERROR_KINDS } from "@opsc/contracts/targets/connection";

export type ProbeErrorKind = (typeof CONNECTION_ERROR_KINDS)[number];

/** The outcome of one probe: what the connection test shows and what a health check records. */
export interface ProbeResult {
  ok: boolean;
  latencyMs: number;
  error: { kind: ProbeErrorKind; message: string } | null;
  /** SSH: the key the host presented (also on failures after the key exchange). */
  hostKey: { algorithm: string; fingerprintSha256: string } | null;
  /** SSH: the server's version banner; HTTP: the status line. */
  detail: string | null;
}

export const elapsedSince = (startedAt: number) => Math.round((performance.now() - startedAt) * 10) / 10;

/** Classifies a socket-level failure from Node or Bun into our error kinds. */
export function networkErrorKind(error: unknown): ProbeErrorKind {
  const { code, name, message } = error as { code?: string; name?: string; message?: string };
  const text = `${code ?? ""} ${name ?? ""} ${message ?? ""}`;
  if (/ENOTFOUND|EAI_AGAIN|EAI_NONAME|DNS|getaddrinfo/i.test(text)) return "dns";
  if (/ECONNREFUSED|ConnectionRefused/i.test(text)) return "refused";
  if (/Timeout|ETIMEDOUT|timed out|aborted/i.test(text)) return "timeout";
  if (/CERT|certificate|SSL|TLS|self.signed/i.test(text)) return "tls";
  return "protocol";
}
