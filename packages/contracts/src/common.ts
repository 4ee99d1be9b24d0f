import { z } from "zod";

export const ROLES = ["viewer", "operator", "admin"] as const;
export const ZRole = z.enum(ROLES).meta({ description: "admin > operator > viewer" });
export type TRole = z.infer<typeof ZRole>;

/** True when `role` carries at least the rights of `required`. */
export function hasRole(role: TRole, required: TRole): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

/** The lesser of two roles: an API key never carries more rights than its owner. */
export function minRole(a: TRole, b: TRole): TRole {
  return ROLES.indexOf(a) <= ROLES.indexOf(b) ? a : b;
}

export const ZId = z.string().min(1).max(64);
export const ZEmail = z.email().max(254);
export const ZName = z.string().trim().min(1).max(100);
/** Passwords: long enough to matter, short enough that hashing cannot be used to burn CPU. */
export const ZPassword = z.string().min(12, "at least 12 characters").max(128);
export const ZTimestamp = z.string().meta({ description: "ISO 8601 timestamp" });

export const ZSuccessResponse = z.object({ success: z.literal(true) });
export type TSuccessResponse = z.infer<typeof ZSuccessResponse>;

export const ZPageRequest = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

/** The authenticated caller as every service sees it. */
export const ZCaller = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: ZRole,
  /** Set when the request authenticated with an API key; the role is then capped by the key's role. */
  apiKeyId: z.string().nullable(),
});
export type TCaller = z.infer<typeof ZCaller>;

export const ERROR_CODES = [
  "BAD_REQUEST",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "PRECONDITION_FAILED",
  "TOO_MANY_REQUESTS",
  "INTERNAL_SERVER_ERROR",
  "SERVICE_UNAVAILABLE",
] as const;
export type TErrorCode = (typeof ERROR_CODES)[number];
