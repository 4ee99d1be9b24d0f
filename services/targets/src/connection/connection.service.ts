import { type AuditActor, recordAudit, recordEvent } from "@opsc/audit";
import type { TConnectionTestResponse } from "@opsc/contracts/targets/connection";
import type { TCredentialSecret } from "@opsc/contracts/targets/credentials";
import { type ProbeResult, probeHttp, probeSsh } from "@opsc/probes";
import { AppError, notFound } from "@opsc/server-kit";
import { sql } from "kysely";
import * as credentials from "../credentials/credentials.repository.ts";
import { openSecret } from "../credentials/credentials.service.ts";
import type { TargetsServiceDeps } from "../deps.ts";
import { recordResults } from "../health/health.service.ts";
import type { TargetRow } from "../targets/targets.dto.ts";
import * as repo from "../targets/targets.repository.ts";

async function loadCredential(deps: TargetsServiceDeps, row: TargetRow): Promise<TCredentialSecret | null> {
  if (!row.credential_id) return null;
  const credential = await credentials.findById(deps.db, row.credential_id);
  return credential ? openSecret(deps, credential) : null;
}

/** The probe a target's kind calls for, with its pinned host key (if any). */
export async function probeTarget(
  deps: TargetsServiceDeps,
  row: TargetRow,
  options: { ignorePin?: boolean } = {},
): Promise<ProbeResult> {
  const credential = await loadCredential(deps, row);
  if (row.kind === "http") {
    const http = row.http_options ?? { scheme: "https" as const, path: "/", insecureTls: false };
    return probeHttp({
      host: row.address,
      port: row.port,
      ...http,
      timeoutMs: deps.connectTimeoutMs,
      credential,
    });
  }
  const pinned =
    row.host_key_fingerprint && !options.ignorePin
      ? { algorithm: row.host_key_algorithm ?? "", fingerprintSha256: row.host_key_fingerprint }
      : null;
  return probeSsh({
    host: row.address,
    port: row.port,
    credential,
    expectedHostKey: pinned,
    timeoutMs: deps.connectTimeoutMs,
  });
}

/**
 * Tests a target now: for SSH a real handshake, authentication and `true`; for HTTP a request. The first
 * successful key exchange pins the host key; a different key later refuses the connection (before any credential
 * is sent), marks the target down and raises a `target.host_key.mismatch` event.
 */
export async function testConnection(
  deps: TargetsServiceDeps,
  actor: AuditActor,
  id: string,
): Promise<TConnectionTestResponse> {
  const row = await repo.findById(deps.db, id);
  if (!row) throw notFound("Target");
  const result = await probeTarget(deps, row);
  let pinnedNow = false;
  if (result.hostKey && !row.host_key_fingerprint && result.error?.kind !== "host_key_mismatch") {
    pinnedNow = await deps.db.transaction().execute(async (trx) => {
      const pinned = await trx
        .updateTable("targets")
        .set({
          host_key_algorithm: result.hostKey!.algorithm,
          host_key_fingerprint: result.hostKey!.fingerprintSha256,
          host_key_pinned_at: sql<Date>`now()`,
        })
        .where("id", "=", id)
        .where("host_key_fingerprint", "is", null)
        .executeTakeFirst();
      if (Number(pinned.numUpdatedRows) === 0) return false;
      await recordAudit(trx, actor, {
        action: "target.host_key_pinned",
        resourceType: "target",
        resourceId: id,
        after: { ...result.hostKey, by: "connection test, first use" },
      });
      return true;
    });
  }
  if (result.error?.kind === "host_key_mismatch") {
    // The same path as a health check that met the changed key: status down, history, events.
    await recordResults({ db: deps.db, defaultIntervalSeconds: deps.defaultIntervalSeconds }, [
      {
        targetId: id,
        status: "down",
        latencyMs: result.latencyMs,
        error: result.error.message,
        checkedAt: new Date().toISOString(),
        observedHostKey: result.hostKey,
      },
    ]);
  }
  return {
    ok: result.ok,
    latencyMs: result.latencyMs,
    error: result.error,
    hostKey: result.hostKey ? { ...result.hostKey, pinnedNow } : null,
    detail: result.detail,
  };
}

/** An administrator trusts the key the host presents now (after a re-install, say); audited with both keys. */
export async function repinHostKey(deps: TargetsServiceDeps, actor: AuditActor, id: string) {
  const row = await repo.findById(deps.db, id);
  if (!row) throw notFound("Target");
  if (row.kind !== "ssh")
    throw new AppError("BAD_REQUEST", { field: "id", message: "Only SSH targets have host keys" });
  const result = await probeTarget(deps, row, { ignorePin: true });
  if (!result.hostKey) {
    throw new AppError("PRECONDITION_FAILED", {
      message: `Could not read the host key: ${result.error?.message ?? "no SSH key exchange"}`,
    });
  }
  const observed = result.hostKey;
  return deps.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("targets")
      .set({
        host_key_algorithm: observed.algorithm,
        host_key_fingerprint: observed.fingerprintSha256,
        host_key_pinned_at: sql<Date>`now()`,
      })
      .where("id", "=", id)
      .returning(["host_key_pinned_at"])
      .executeTakeFirstOrThrow();
    const previous =
      row.host_key_fingerprint && row.host_key_pinned_at
        ? {
            algorithm: row.host_key_algorithm ?? "",
            fingerprintSha256: row.host_key_fingerprint,
            pinnedAt: row.host_key_pinned_at.toISOString(),
          }
        : null;
    const current = { ...observed, pinnedAt: (updated.host_key_pinned_at ?? new Date()).toISOString() };
    await recordAudit(trx, actor, {
      action: "target.host_key_repinned",
      resourceType: "target",
      resourceId: id,
      before: previous,
      after: current,
    });
    await recordEvent(trx, {
      type: "target.host_key.repinned",
      payload: {
        targetId: id,
        name: row.name,
        previous: previous?.fingerprintSha256 ?? null,
        current: current.fingerprintSha256,
      },
    });
    return { previous, current };
  });
}
