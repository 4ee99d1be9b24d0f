import { type AuditActor, recordAudit } from "@opsc/audit";
import { AppError } from "@opsc/server-kit";
import { APIError } from "better-auth/api";
import type { IdentityDeps } from "./identity.service.ts";

/**
 * TOTP set-up runs through better-auth's own two-factor endpoints, in the user's session (the calling service
 * forwards the user's credentials), so the secret is stored exactly as better-auth's sign-in step expects it.
 * better-auth commits its own write; the audit record follows at once in its own transaction.
 */
async function inSession<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof APIError) {
      const status = Number(error.statusCode);
      const code =
        status === 401
          ? "UNAUTHORIZED"
          : status === 403
            ? "FORBIDDEN"
            : status === 429
              ? "TOO_MANY_REQUESTS"
              : "BAD_REQUEST";
      const message = (error.body as { message?: string } | undefined)?.message ?? error.message;
      const field = /password/i.test(message)
        ? "password"
        : /code|otp|totp/i.test(message)
          ? "code"
          : undefined;
      throw new AppError(code, { message, cause: error, ...(field ? { field } : {}) });
    }
    throw error;
  }
}

async function audit(deps: IdentityDeps, actor: AuditActor, action: string) {
  await deps.db
    .transaction()
    .execute((trx) => recordAudit(trx, actor, { action, resourceType: "user", resourceId: actor.actorId }));
}

export async function enable(deps: IdentityDeps, actor: AuditActor, headers: Headers, password: string) {
  const result = await inSession(() => deps.auth.api.enableTwoFactor({ body: { password }, headers }));
  if (result.method !== "totp")
    throw new AppError("INTERNAL_SERVER_ERROR", { message: "TOTP is not configured" });
  await audit(deps, actor, "user.two_factor_setup_started");
  return { totpURI: result.totpURI, backupCodes: result.backupCodes };
}

/** better-auth ends the session and starts a new one; the caller gets the new one's token and cookies. */
function rotatedSession(headers: Headers) {
  return {
    success: true as const,
    sessionToken: headers.get("set-auth-token"),
    setCookies: headers.getSetCookie(),
  };
}

export async function verify(deps: IdentityDeps, actor: AuditActor, headers: Headers, code: string) {
  const result = await inSession(() =>
    deps.auth.api.verifyTOTP({ body: { code }, headers, returnHeaders: true }),
  );
  await audit(deps, actor, "user.two_factor_enabled");
  return rotatedSession(result.headers);
}

export async function disable(deps: IdentityDeps, actor: AuditActor, headers: Headers, password: string) {
  const result = await inSession(() =>
    deps.auth.api.disableTwoFactor({ body: { password }, headers, returnHeaders: true }),
  );
  await audit(deps, actor, "user.two_factor_disabled");
  return rotatedSession(result.headers);
}
