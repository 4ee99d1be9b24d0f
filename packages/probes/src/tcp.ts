import { connect } from "node:net";
import { elapsedSince, networkErrorKind, type ProbeResult } from "./result.ts";

/** Can a TCP connection be opened? The cheapest liveness check. */
export function probeTcp(options: { host: string; port: number; timeoutMs: number }): Promise<ProbeResult> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host: options.host, port: options.port });
    const finish = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(options.timeoutMs, () =>
      finish({
        ok: false,
        latencyMs: elapsedSince(startedAt),
        error: { kind: "timeout", message: `no answer within ${options.timeoutMs} ms` },
        hostKey: null,
        detail: null,
      }),
    );
    socket.once("connect", () =>
      finish({ ok: true, latencyMs: elapsedSince(startedAt), error: null, hostKey: null, detail: null }),
    );
    socket.once("error", (error) =>
      finish({
        ok: false,
        latencyMs: elapsedSince(startedAt),
        error: { kind: networkErrorKind(error), message: error.message },
        hostKey: null,
        detail: null,
      }),
    );
  });
}
