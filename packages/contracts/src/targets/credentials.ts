import { z } from "zod";
import { ZId, ZTimestamp } from "../common.ts";

export const CREDENTIAL_KINDS = [
  "ssh_key",
  "ssh_password",
  "sudo_password",
  "http_bearer",
  "http_basic",
  "http_header",
] as const;
export const ZCredentialKind = z.enum(CREDENTIAL_KINDS);
export type TCredentialKind = z.infer<typeof ZCredentialKind>;

const ZCredentialName = z.string().trim().min(1).max(100);
const ZUsername = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._@-]+$/, "a user name");
const secretText = (max: number) => z.string().min(1).max(max);

/** Secret material by kind. It goes in and is never returned: reads show metadata and a fingerprint. */
export const ZCredentialSecret = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("ssh_key"),
    username: ZUsername,
    privateKey: secretText(20_000).refine(
      (value) => value.includes("PRIVATE KEY"),
      "a PEM or OpenSSH private key",
    ),
    passphrase: z.string().max(1000).optional(),
  }),
  z.strictObject({ kind: z.literal("ssh_password"), username: ZUsername, password: secretText(1000) }),
  z.strictObject({ kind: z.literal("sudo_password"), password: secretText(1000) }),
  z.strictObject({ kind: z.literal("http_bearer"), token: secretText(10_000) }),
  z.strictObject({ kind: z.literal("http_basic"), username: ZUsername, password: secretText(1000) }),
  z.strictObject({
    kind: z.literal("http_header"),
    headerName: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, "an HTTP header name"),
    value: secretText(10_000),
  }),
]);
export type TCredentialSecret = z.infer<typeof ZCredentialSecret>;

export const ZCredential = z.object({
  id: z.string(),
  name: z.string(),
  kind: ZCredentialKind,
  username: z.string().nullable(),
  headerName: z.string().nullable(),
  /** Identifies the secret without revealing it (for SSH keys, the public key's SHA256 fingerprint). */
  fingerprint: z.string(),
  hasPassphrase: z.boolean(),
  description: z.string(),
  usedBy: z.number().int().meta({ description: "targets using this credential" }),
  createdAt: ZTimestamp,
  updatedAt: ZTimestamp,
});
export type TCredential = z.infer<typeof ZCredential>;

export const ZCreateCredentialRequestSchema = z.strictObject({
  name: ZCredentialName,
  description: z.string().max(1000).default(""),
  secret: ZCredentialSecret,
});
export type TCreateCredentialRequest = z.input<typeof ZCreateCredentialRequestSchema>;

export const ZUpdateCredentialRequestSchema = z.strictObject({
  id: ZId,
  data: z.strictObject({
    name: ZCredentialName.optional(),
    description: z.string().max(1000).optional(),
    /** Replaces the secret (same kind); omit to keep it. */
    secret: ZCredentialSecret.optional(),
  }),
});

export const ZListCredentialsResponseSchema = z.object({ items: z.array(ZCredential) });
