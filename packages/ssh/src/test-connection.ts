import type { ConnectSshOptions, SshConnection } from "./connect.ts";
import { connectSsh } from "./connect.ts";
import type { SshErrorKind } from "./errors.ts";
import { SshError, toSshError } from "./errors.ts";
import { execCommand } from "./exec.ts";
import type { HostKeyInfo } from "./fingerprint.ts";

/** Result of {@link testSshConnection}; never throws for connection problems. */
export type TestSshConnectionResult =
  | { ok: true; latencyMs: number; hostKey: HostKeyInfo; serverVersion: string }
  | { ok: false; error: { kind: SshErrorKind; message: string }; hostKey?: HostKeyInfo; latencyMs: number };

/**
 * Connection test and health check: connects, authenticates, runs `true` and expects exit code 0, then
 * closes. `latencyMs` is the wall time of all of it (TCP connect, handshake, auth and the exec).
 * The exec is bounded by `options.timeoutMs` too.
 */
export async function testSshConnection(options: ConnectSshOptions): Promise<TestSshConnectionResult> {
  const startedAt = performance.now();
  const elapsed = () => Math.round((performance.now() - startedAt) * 10) / 10;
  let connection: SshConnection | undefined;
  try {
    connection = await connectSsh(options);
    const result = await execCommand(connection, "true", {
      timeoutMs: options.timeoutMs,
      killGraceMs: 1_000,
    });
    if (result.cancelled)
      throw new SshError("timeout", `\`true\` did not finish within ${options.timeoutMs} ms`, {
        hostKey: connection.hostKey,
      });
    if (result.exitCode !== 0)
      throw new SshError(
        "protocol",
        `\`true\` ended with ${result.signal ? `signal ${result.signal}` : `exit code ${result.exitCode}`}: the account cannot run commands`,
        { hostKey: connection.hostKey },
      );
    const latencyMs = elapsed();
    return { ok: true, latencyMs, hostKey: connection.hostKey, serverVersion: connection.serverVersion };
  } catch (caught) {
    const error = toSshError(caught, {
      host: options.host,
      port: options.port ?? 22,
      username: options.username,
      hostKey: connection?.hostKey,
    });
    const hostKey = error.hostKey ?? connection?.hostKey;
    return {
      ok: false,
      error: { kind: error.kind, message: error.message },
      ...(hostKey ? { hostKey } : {}),
      latencyMs: elapsed(),
    };
  } finally {
    await connection?.close();
  }
}
