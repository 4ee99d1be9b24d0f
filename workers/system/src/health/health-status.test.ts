import { describe, expect, test } from "bun:test";
import type { ProbeResult } from "@opsc/probes";
import { statusOfProbe, toHealthResult } from "./health-status.ts";

const answered = (latencyMs: number, detail: string | null = null): ProbeResult => ({
  ok: true,
  latencyMs,
  error: null,
  hostKey: null,
  detail,
});
const failed = (
  kind: NonNullable<ProbeResult["error"]>["kind"],
  detail: string | null = null,
): ProbeResult => ({
  ok: false,
  latencyMs: 12,
  error: { kind, message: `${kind} happened` },
  hostKey: null,
  detail,
});

describe("statusOfProbe", () => {
  test("an answer faster than the threshold is up; at or past it, degraded", () => {
    expect(statusOfProbe(answered(1999), 2000)).toBe("up");
    expect(statusOfProbe(answered(2000), 2000)).toBe("degraded");
  });

  test("the host answered but refused the login, or answered HTTP 4xx or an unexpected status: degraded", () => {
    expect(statusOfProbe(failed("auth"), 2000)).toBe("degraded");
    expect(statusOfProbe(failed("http_status", "HTTP 404"), 2000)).toBe("degraded");
    expect(statusOfProbe(failed("http_status", "HTTP 200"), 2000)).toBe("degraded");
  });

  test("nothing usable answered: down", () => {
    for (const kind of ["refused", "timeout", "dns", "tls", "host_key_mismatch", "protocol"] as const) {
      expect(statusOfProbe(failed(kind), 2000)).toBe("down");
    }
    expect(statusOfProbe(failed("http_status", "HTTP 503"), 2000)).toBe("down");
  });
});

describe("toHealthResult", () => {
  const checkedAt = new Date("2026-01-02T03:04:05.000Z");

  test("keeps the observed host key and the latency of an answer; names the error kind", () => {
    const probe: ProbeResult = {
      ...failed("auth"),
      hostKey: { algorithm: "ssh-ed25519", fingerprintSha256: "SHA256:abc" },
    };
    expect(toHealthResult({ id: "t1" }, probe, { degradedLatencyMs: 2000, checkedAt })).toEqual({
      targetId: "t1",
      status: "degraded",
      latencyMs: 12,
      error: "auth: auth happened",
      checkedAt: "2026-01-02T03:04:05.000Z",
      observedHostKey: { algorithm: "ssh-ed25519", fingerprintSha256: "SHA256:abc" },
    });
  });

  test("a refused probe records no latency; a slow answer says why it is degraded", () => {
    expect(
      toHealthResult({ id: "t" }, failed("refused"), { degradedLatencyMs: 2000, checkedAt }),
    ).toMatchObject({
      status: "down",
      latencyMs: null,
      error: "refused: refused happened",
    });
    expect(toHealthResult({ id: "t" }, answered(2500), { degradedLatencyMs: 2000, checkedAt })).toMatchObject(
      {
        status: "degraded",
        latencyMs: 2500,
        error: "slow: 2500 ms (degraded at 2000 ms)",
      },
    );
  });

  test("error text is capped at the API's 2,000 characters", () => {
    const probe: ProbeResult = {
      ...failed("protocol"),
      error: { kind: "protocol", message: "x".repeat(5000) },
    };
    expect(toHealthResult({ id: "t" }, probe, { degradedLatencyMs: 2000, checkedAt }).error).toHaveLength(
      2000,
    );
  });
});
