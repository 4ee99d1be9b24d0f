import { z } from "zod";
import { ZEmail, ZName, ZPassword } from "../common.ts";

export const ZSetupStatusResponseSchema = z.object({
  needsSetup: z.boolean().meta({ description: "true until the first administrator exists" }),
});

export const ZCreateFirstAdminRequestSchema = z.strictObject({
  token: z.string().min(16).max(200).meta({ description: "the one-time setup token printed at start-up" }),
  email: ZEmail,
  name: ZName,
  password: ZPassword,
});
export const ZCreateFirstAdminResponseSchema = z.object({ userId: z.string() });
