import { z } from "zod";
import { ZHttpOptions, ZTargetKind } from "../targets/targets.ts";

/** The shells and interpreters a command or script may run under, on the target or (local) on the worker host. */
export const SHELLS = ["sh", "bash", "zsh", "python3", "pwsh"] as const;
export const ZShell = z.enum(SHELLS);

export const ZEnvName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "letters, digits and '_', not starting with a digit")
  .refine((name) => !name.startsWith("OPSC_"), "OPSC_ names are reserved for the values OpsConductor sets");
/**
 * Environment passed to the command. Values reach the process as environment variables, never spliced into the
 * command line. At most 100 entries, 64 KiB in all.
 */
export const ZEnv = z
  .record(ZEnvName, z.string().max(32_768))
  .refine((env) => Object.keys(env).length <= 100, "at most 100 variables")
  .refine(
    (env) => Object.entries(env).reduce((sum, [key, value]) => sum + key.length + value.length, 0) <= 65_536,
    "at most 64 KiB in all",
  );
export type TEnv = z.infer<typeof ZEnv>;

const ZHeaderName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "an HTTP header name");

/** What a task does. A command line or a script runs over SSH (or, with `local`, on the worker host). */
export const ZAction = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("command"),
    command: z.string().trim().min(1).max(65_536),
    shell: ZShell.default("sh"),
  }),
  z.strictObject({
    type: z.literal("script"),
    /** The script's text; it reaches the interpreter on its standard input, never as an argument. */
    script: z.string().min(1).max(1_048_576),
    shell: ZShell.default("sh"),
  }),
  z.strictObject({
    type: z.literal("http"),
    method: z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]).default("GET"),
    /** Appended to the target's scheme, address and port. */
    path: z.string().max(2000).regex(/^\//, "starts with /").default("/"),
    headers: z.record(ZHeaderName, z.string().max(8192)).default({}),
    body: z.string().max(1_048_576).optional(),
    /** Statuses that count as success; any 2xx when empty. */
    expectStatus: z.array(z.number().int().min(100).max(599)).max(20).default([]),
    /**
     * Save the response body as the task's artifact `response.body` (with the response's content type) instead of
     * printing it to the log; the status line is still logged. Subject to the worker's artifact limits.
     */
    saveBody: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal("noop"),
    /** Sleep this long (benchmarks and dry runs); 0 by default. */
    sleepMs: z.number().int().min(0).max(3_600_000).default(0),
  }),
]);
export type TAction = z.output<typeof ZAction>;
export type TActionInput = z.input<typeof ZAction>;

/** Where a command or script runs: on each target over SSH, or on the worker host once per target (`local`). */
export const ZRunOn = z.enum(["target", "local"]);
export type TRunOn = z.infer<typeof ZRunOn>;

export const ZExecutor = z.enum(["ssh", "http", "local", "noop"]);
export type TExecutor = z.infer<typeof ZExecutor>;

const ZSealedCredential = z.object({
  id: z.string(),
  /** `ssh_key`, `ssh_password`, `http_bearer`, … as in the targets service. */
  kind: z.string(),
  username: z.string().nullable(),
  headerName: z.string().nullable(),
  /** The secret, still encrypted (vault format); only the worker that uses it opens it. */
  sealed: z.string(),
});

/** A target as a task message carries it: everything a worker needs to connect, secrets still sealed. */
export const ZExecutionTarget = z.object({
  id: z.string(),
  name: z.string(),
  address: z.string(),
  port: z.number().int(),
  kind: ZTargetKind,
  http: ZHttpOptions.nullable(),
  /** The pinned host key; null when none is pinned yet (the first connection pins it). */
  expectedHostKey: z.object({ algorithm: z.string(), fingerprintSha256: z.string() }).nullable(),
  credential: ZSealedCredential.nullable(),
  /** The password sudo asks for, when the run uses sudo and the target has one. */
  sudoCredential: ZSealedCredential.nullable().default(null),
});
export type TExecutionTarget = z.infer<typeof ZExecutionTarget>;

/** What a cancel or timeout did to a task's processes: the outcome and any process still alive after KILL. */
export const ZCancelSummary = z.object({
  outcome: z.string(),
  survivors: z.array(z.object({ pid: z.number(), command: z.string() })),
  outputHeldOpen: z.boolean(),
});

/** Why a task failed, beyond its exit code. */
export const ZTaskError = z.object({ kind: z.string(), message: z.string() });
