import { z } from "zod";
import { ZEmail, ZId, ZName, ZPageRequest, ZPassword, ZRole, ZTimestamp } from "../common.ts";

export const ZUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: ZRole,
  disabled: z.boolean(),
  disabledReason: z.string().nullable(),
  twoFactorEnabled: z.boolean(),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});
export type TUser = z.infer<typeof ZUser>;

export const ZListUsersRequestSchema = z.strictObject({
  search: z
    .string()
    .trim()
    .max(100)
    .optional()
    .meta({ description: "matches e-mail or name, case-insensitive" }),
  role: ZRole.optional(),
  ...ZPageRequest,
});
export type TListUsersRequest = z.input<typeof ZListUsersRequestSchema>;
export const ZListUsersResponseSchema = z.object({ items: z.array(ZUser), total: z.number().int() });
export type TListUsersResponse = z.infer<typeof ZListUsersResponseSchema>;

export const ZGetUserRequestSchema = z.strictObject({ id: ZId });

export const ZCreateUserRequestSchema = z.strictObject({
  email: ZEmail,
  name: ZName,
  role: ZRole,
  password: ZPassword,
});
export type TCreateUserRequest = z.infer<typeof ZCreateUserRequestSchema>;

export const ZUpdateUserRequestSchema = z.strictObject({
  id: ZId,
  data: z.strictObject({ name: ZName.optional(), role: ZRole.optional() }),
});
export type TUpdateUserRequest = z.infer<typeof ZUpdateUserRequestSchema>;

export const ZDisableUserRequestSchema = z.strictObject({
  id: ZId,
  reason: z.string().trim().max(500).optional(),
});
export const ZIdRequestSchema = z.strictObject({ id: ZId });
export const ZResetPasswordRequestSchema = z.strictObject({ id: ZId, newPassword: ZPassword });
