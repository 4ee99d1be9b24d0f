import type { TCredentialSecret } from "@opsc/contracts/targets/credentials";
import { elapsedSince, networkErrorKind, type ProbeResult } from "./result.ts";

export interface HttpProbeOptions {
  host: string;
  port: number;
  scheme: "http" | "https";
  path: string;
  expectStatus?: number | undefined;
  insecureTls: boolean;
  timeoutMs: number;
  credential: TCredentialSecret | null;
}

function authHeaders(credential: TCredentialSecret | null): Record<string, string> {
  if (!credential) return {};
  switch (credential.kind) {
    case "http_bearer":
      return { authorization: `Bearer ${credential.token}` };
    case "http_basic":
      return {
        authorization: `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString("base64")}`,
      };
    case "http_header":
      return { [credential.headerName]: credential.value };
    default:
      return {};
  }
}

/** A GET of the target's URL: up when the status is the expected one (any 2xx or 3xx when none is set). */
export async function probeHttp(options: HttpProbeOptions): Promise<ProbeResult> {
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  const url = `${options.scheme}://${host}:${options.port}${options.path}`;
  const startedAt = performance.now();
  try {
    const response = await fetch(url, {
      headers: { "user-agent": "OpsConductor health check", ...authHeaders(options.credential) },
      redirect: "manual",
      signal: AbortSignal.timeout(options.timeoutMs),
      ...(options.insecureTls ? { tls: { rejectUnauthorized: false } } : {}),
    });
    await response.body?.cancel();
    const latencyMs = elapsedSince(startedAt);
    const ok = options.expectStatus ? response.status === options.expectStatus : response.status < 400;
    const detail = `HTTP ${response.status}`;
    return ok
      ? { ok, latencyMs, error: null, hostKey: null, detail }
      : {
          ok,
          latencyMs,
          error: {
            kind: "http_status",
            message: options.expectStatus
              ? `expected ${options.expectStatus}, got ${response.status}`
              : `status ${response.status}`,
          },
          hostKey: null,
          detail,
        };
  } catch (error) {
    return {
      ok: false,
      latencyMs: elapsedSince(startedAt),
      error: { kind: networkErrorKind(error), message: (error as Error).message },
      hostKey: null,
      detail: null,
    };
  }
}
