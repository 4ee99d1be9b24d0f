import type { THealthCheckTarget, THealthResult } from "@opsc/contracts/targets/health";
import type { ProbeResult } from "@opsc/probes";

/** What a probe can say about a target; `unknown` is for targets no probe has judged. */
export type ProbedStatus = "up" | "degraded" | "down";

/** The status code of an HTTP probe's result (`detail` is the status line, `HTTP 503`). */
function httpStatusOf(probe: ProbeResult): number | null {
  const match = /^HTTP (\d{3})$/.exec(probe.detail ?? "");
  return match ? Number(match[1]) : null;
}

/**
 * The health a probe result means:
 * - `up`: it answered as expected, faster than `degradedLatencyMs`;
 * - `degraded`: it answered, but slowly, or refused our login (SSH `auth`: the host is there, the credential is
 *   wrong), or answered HTTP with a client error or another status than the expected one;
 * - `down`: nothing usable answered (refused, timeout, DNS, TLS, an impostor host key, an HTTP 5xx, not SSH).
 */
export function statusOfProbe(probe: ProbeResult, degradedLatencyMs: number): ProbedStatus {
  if (probe.ok) return probe.latencyMs < degradedLatencyMs ? "up" : "degraded";
  switch (probe.error?.kind) {
    case "auth":
    case "no_credential":
      return "degraded";
    case "http_status": {
      const status = httpStatusOf(probe);
      return status !== null && status >= 500 ? "down" : "degraded";
    }
    default:
      return "down";
  }
}

/** The latency worth recording: only when the host answered (a refused or timed-out probe measured nothing). */
function answeredLatency(probe: ProbeResult): number | null {
  if (probe.ok) return probe.latencyMs;
  const kind = probe.error?.kind;
  return kind === "auth" || kind === "http_status" || kind === "host_key_mismatch" || kind === "no_credential"
    ? probe.latencyMs
    : null;
}

const MAX_ERROR_LENGTH = 2000;

/** Turns one probe result into the result the targets service records. */
export function toHealthResult(
  target: Pick<THealthCheckTarget, "id">,
  probe: ProbeResult,
  options: { degradedLatencyMs: number; checkedAt: Date },
): THealthResult {
  const slow =
    probe.ok && probe.latencyMs >= options.degradedLatencyMs
      ? `slow: ${Math.round(probe.latencyMs)} ms (degraded at ${options.degradedLatencyMs} ms)`
      : null;
  const error = probe.error ? `${probe.error.kind}: ${probe.error.message}` : slow;
  return {
    targetId: target.id,
    status: statusOfProbe(probe, options.degradedLatencyMs),
    latencyMs: answeredLatency(probe),
    error: error === null ? null : error.slice(0, MAX_ERROR_LENGTH),
    checkedAt: options.checkedAt.toISOString(),
    observedHostKey: probe.hostKey,
  };
}
