import { z } from "zod";
import { ZName, ZPassword, ZRole, ZTimestamp } from "../common.ts";
import { ZUser } from "./accounts.ts";

export const ZThemePreference = z.enum(["system", "light", "dark"]);
export const ZPreferences = z.object({
  theme: ZThemePreference,
  timeZone: z.string(),
});
export type TPreferences = z.infer<typeof ZPreferences>;

export const ZProfileResponseSchema = z.object({
  user: ZUser,
  preferences: ZPreferences,
  /** Set when the caller authenticated with an API key (its role may be lower than the user's). */
  apiKeyId: z.string().nullable(),
  effectiveRole: ZRole,
});
export type TProfileResponse = z.infer<typeof ZProfileResponseSchema>;

export const ZUpdateProfileRequestSchema = z.strictObject({ name: ZName });

export const ZUpdatePreferencesRequestSchema = z.strictObject({
  theme: ZThemePreference.optional(),
  timeZone: z
    .string()
    .max(64)
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, "unknown IANA time zone")
    .optional(),
});

export const ZChangePasswordRequestSchema = z.strictObject({
  currentPassword: z.string().min(1).max(128),
  newPassword: ZPassword,
  revokeOtherSessions: z.boolean().default(true),
});

export const ZEnableTwoFactorRequestSchema = z.strictObject({ password: z.string().min(1).max(128) });
export const ZEnableTwoFactorResponseSchema = z.object({
  totpURI: z.string(),
  backupCodes: z.array(z.string()),
});
export const ZVerifyTwoFactorRequestSchema = z.strictObject({
  code: z.string().regex(/^\d{6}$/, "six digits"),
});
export const ZDisableTwoFactorRequestSchema = ZEnableTwoFactorRequestSchema;
/** Turning two-factor on or off replaces the current session (cookies are updated in the same response). */
export const ZTwoFactorChangeResponseSchema = z.object({
  success: z.literal(true),
  sessionToken: z
    .string()
    .nullable()
    .meta({ description: "the bearer token of the new session; the old one has ended" }),
});
export const ZInternalTwoFactorChangeSchema = ZTwoFactorChangeResponseSchema.extend({
  setCookies: z.array(z.string()),
});

export const ZApiKey = z.object({
  id: z.string(),
  name: z.string(),
  /** The first characters of the key, to recognise it; the key itself is shown once, at creation. */
  start: z.string().nullable(),
  role: ZRole,
  enabled: z.boolean(),
  expiresAt: ZTimestamp.nullable(),
  lastUsedAt: ZTimestamp.nullable(),
  createdAt: ZTimestamp,
});
export type TApiKey = z.infer<typeof ZApiKey>;

export const ZListApiKeysResponseSchema = z.object({ items: z.array(ZApiKey) });
export const ZCreateApiKeyRequestSchema = z.strictObject({
  name: z.string().trim().min(1).max(64),
  expiresInDays: z.number().int().min(1).max(3650).nullable().default(90),
  role: ZRole.optional().meta({ description: "defaults to the owner's role; never above it" }),
});
export type TCreateApiKeyRequest = z.input<typeof ZCreateApiKeyRequestSchema>;
export const ZCreateApiKeyResponseSchema = z.object({
  apiKey: ZApiKey,
  key: z.string().meta({ description: "the secret; shown only in this response" }),
});
