import type { THealthCheckTarget } from "@opsc/contracts/targets/health";
import { openCredential, secretValues } from "@opsc/executors/credentials";
import { type ProbeResult, probeHttp, probeSsh } from "@opsc/probes";
import type { VaultKeys } from "@opsc/vault";

// Moved to @opsc/executors (the execution worker opens credentials the same way); re-exported for this feature.
export { CredentialUnavailableError, openCredential } from "@opsc/executors/credentials";

function scrub(result: ProbeResult, secrets: string[]): ProbeResult {
  if (!result.error || secrets.length === 0) return result;
  let message = result.error.message;
  for (const secret of secrets) message = message.split(secret).join("[redacted]");
  return { ...result, error: { ...result.error, message } };
}

/**
 * Probes one target the way its kind says: SSH key exchange against the pinned host key, then a login with the
 * credential (the banner only, without one); HTTP a GET of its URL with the credential's header.
 */
export async function probeTarget(
  target: THealthCheckTarget,
  options: { vault: VaultKeys; timeoutMs: number },
): Promise<ProbeResult> {
  const secret = target.credential ? openCredential(options.vault, target.credential) : null;
  const result =
    target.kind === "ssh"
      ? await probeSsh({
          host: target.address,
          port: target.port,
          credential: secret,
          expectedHostKey: target.expectedHostKey,
          timeoutMs: options.timeoutMs,
        })
      : await probeHttp({
          host: target.address,
          port: target.port,
          scheme: target.http?.scheme ?? "https",
          path: target.http?.path ?? "/",
          expectStatus: target.http?.expectStatus,
          insecureTls: target.http?.insecureTls ?? false,
          timeoutMs: options.timeoutMs,
          credential: secret,
        });
  return scrub(result, secretValues(secret));
}
