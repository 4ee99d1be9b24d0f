import { apiKey } from "@better-auth/api-key";
import { recordAudit } from "@opsc/audit";
import { betterAuth } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { admin, bearer, jwt, twoFactor } from "better-auth/plugins";
import type { Kysely } from "kysely";

export const AUTH_SCHEMA = "auth";
/** Set by our own HTTP layer from the trusted-proxy rules; any incoming copy is dropped first. */
export const CLIENT_IP_HEADER = "x-opsc-client-ip";

export interface BetterAuthOptions {
  db: Kysely<any>;
  secret: string;
  publicUrl: string;
  signInRateLimit: { max: number; windowSeconds: number };
  /** Silences better-auth's own console logger (the migration planner uses it before tables exist). */
  quiet?: boolean;
}

/**
 * better-auth with the plugins OpsConductor uses. Open sign-up is off for good: accounts are created by an
 * administrator (or, once, by the first-admin bootstrap), never by a visitor.
 */
export function createBetterAuth(options: BetterAuthOptions) {
  return betterAuth({
    appName: "OpsConductor",
    baseURL: options.publicUrl,
    basePath: "/api/auth",
    secret: options.secret,
    database: { db: options.db, type: "postgres", schemaName: AUTH_SCHEMA },
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 12, maxPasswordLength: 128 },
    session: { expiresIn: 60 * 60 * 24 * 7, updateAge: 60 * 60 * 24 },
    trustedOrigins: [options.publicUrl],
    telemetry: { enabled: false },
    logger: { disabled: options.quiet === true },
    advanced: {
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      cookiePrefix: "opsc",
    },
    rateLimit: {
      enabled: true,
      storage: "database",
      window: 60,
      max: 300,
      customRules: {
        "/sign-in/email": { window: options.signInRateLimit.windowSeconds, max: options.signInRateLimit.max },
        "/two-factor/verify-totp": {
          window: options.signInRateLimit.windowSeconds,
          max: options.signInRateLimit.max,
        },
        "/two-factor/verify-backup-code": {
          window: options.signInRateLimit.windowSeconds,
          max: options.signInRateLimit.max,
        },
      },
    },
    hooks: { after: auditHook(options.db) },
    plugins: [
      admin({ defaultRole: "viewer", adminRoles: ["admin"], roles: undefined }),
      apiKey({
        enableSessionForAPIKeys: true,
        rateLimit: { enabled: false },
        defaultPrefix: "opsc_",
        enableMetadata: true,
      }),
      bearer(),
      // Signing a JWT on every session lookup costs more than the lookup itself; clients ask /api/auth/token.
      jwt({ disableSettingJwtHeader: true }),
      twoFactor({ issuer: "OpsConductor" }),
    ],
  });
}

/** Sign-in events better-auth handles itself; each is audited (success and failure) right after it happens. */
const AUDITED_PATHS: Record<string, string> = {
  "/sign-in/email": "auth.signed_in",
  "/two-factor/verify-totp": "auth.signed_in",
  "/two-factor/verify-backup-code": "auth.signed_in",
  "/sign-out": "auth.signed_out",
};

function auditHook(db: Kysely<any>) {
  return createAuthMiddleware(async (ctx) => {
    const action = AUDITED_PATHS[ctx.path];
    if (!action) return;
    const returned = ctx.context.returned;
    const failed = returned instanceof APIError || (returned instanceof Response && returned.status >= 400);
    const pendingSecondFactor =
      !failed && (returned as { twoFactorRedirect?: boolean } | undefined)?.twoFactorRedirect === true;
    const userId = ctx.context.newSession?.user.id ?? ctx.context.session?.user.id ?? null;
    const email = typeof ctx.body?.email === "string" ? ctx.body.email.slice(0, 254) : undefined;
    await db.transaction().execute((trx) =>
      recordAudit(
        trx,
        {
          actorId: userId,
          apiKeyId: null,
          sourceIp: ctx.request?.headers.get(CLIENT_IP_HEADER) ?? null,
          requestId: ctx.request?.headers.get("x-request-id") ?? null,
        },
        {
          action: failed
            ? `${action.replace(/ed_in$/, "_in")}_failed`
            : pendingSecondFactor
              ? "auth.second_factor_required"
              : action,
          resourceType: "session",
          resourceId: userId,
          after: email ? { email } : null,
        },
      ),
    );
  });
}

export type BetterAuth = ReturnType<typeof createBetterAuth>;
