import { hasRole, type TRole } from "@opsc/contracts";
import { initTRPC, TRPCError } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import type { RequestContext } from "./context.ts";
import { AppError } from "./errors.ts";
import { procedureDuration } from "./metrics.ts";

export interface ProcedureMeta extends OpenApiMeta {
  /** The least role that may call the procedure; set by the role helpers, read by tests and docs. */
  role?: TRole | "public" | "internal";
  /** Refused to API keys: only an interactive session may call it. */
  requiresSession?: boolean;
}

interface Issue {
  path: (string | number)[];
  message: string;
}

/** Field-naming issues from a zod error or an AppError, for both transports. */
function issuesOf(error: TRPCError): Issue[] | undefined {
  const cause = error.cause as
    | { name?: string; issues?: { path: PropertyKey[]; message: string; code?: string; keys?: string[] }[] }
    | undefined;
  if (cause instanceof AppError)
    return cause.field ? [{ path: [cause.field], message: cause.message }] : undefined;
  if (cause?.name === "ZodError" && Array.isArray(cause.issues)) {
    return cause.issues.flatMap((issue) => {
      const path = issue.path.map((part) => (typeof part === "number" ? part : String(part)));
      // An unknown field is reported at its own path, so forms and clients can point at it.
      if (issue.code === "unrecognized_keys" && Array.isArray(issue.keys)) {
        return issue.keys.map((key) => ({ path: [...path, key], message: "Unknown field" }));
      }
      return [{ path, message: issue.message }];
    });
  }
  return undefined;
}

/** "email: Invalid email address; data.role: Invalid option" — a message that names every bad field. */
export function describeIssues(issues: Issue[]): string {
  return issues
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ");
}

const t = initTRPC
  .context<RequestContext>()
  .meta<ProcedureMeta>()
  .create({
    isDev: false,
    errorFormatter({ shape, error, ctx }) {
      const issues = issuesOf(error);
      const isValidation = issues !== undefined && (error.cause as { name?: string })?.name === "ZodError";
      return {
        message: isValidation ? describeIssues(issues) : shape.message,
        code: shape.code,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          requestId: ctx?.requestId ?? null,
          issues: issues ?? null,
        },
      };
    },
  });

export const router = t.router;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;

/** AppError -> TRPCError with the mapped code; anything unexpected becomes a generic 500 and is logged. */
const mapErrors = t.middleware(async ({ ctx, path, type, next }) => {
  const startedAt = performance.now();
  const result = await next();
  const outcome = result.ok ? "ok" : result.error.code;
  procedureDuration.observe(
    { service: ctx.service, procedure: path, outcome },
    (performance.now() - startedAt) / 1000,
  );
  if (result.ok) return result;
  const error = result.error;
  const cause = error.cause;
  if (cause instanceof AppError) {
    if (!cause.isExpected)
      ctx.log.error({ err: cause, context: cause.context, procedure: path, type }, cause.message);
    throw new TRPCError({ code: cause.code, message: cause.message, cause });
  }
  if (error.code === "INTERNAL_SERVER_ERROR") {
    ctx.log.error({ err: cause ?? error, procedure: path, type }, "unexpected error");
    throw new TRPCError({
      code: "INTERNAL_SERVER_ERROR",
      message: `Internal error (request ${ctx.requestId})`,
    });
  }
  return result;
});

const withLogger = t.middleware(({ ctx, path, next }) =>
  next({ ctx: { log: ctx.log.child({ procedure: path, userId: ctx.caller?.userId }) } }),
);

export const publicProcedure = t.procedure.use(mapErrors).use(withLogger).meta({ role: "public" });

function requireRole(role: TRole) {
  return t.middleware(({ ctx, next }) => {
    const caller = ctx.caller;
    if (!caller) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in or send an API key" });
    if (!hasRole(caller.role, role)) {
      throw new TRPCError({ code: "FORBIDDEN", message: `Requires the ${role} role` });
    }
    return next({ ctx: { caller } });
  });
}

/** Any signed-in caller (viewer and above). */
export const viewerProcedure = publicProcedure.use(requireRole("viewer")).meta({ role: "viewer" });
export const operatorProcedure = publicProcedure.use(requireRole("operator")).meta({ role: "operator" });
export const adminProcedure = publicProcedure.use(requireRole("admin")).meta({ role: "admin" });

/** Procedures of internal routers: reachable only through `mountInternalRouter`, which checks the token. */
export const internalProcedure = publicProcedure
  .use(({ ctx, next }) => {
    if (!ctx.isInternal) throw new TRPCError({ code: "NOT_FOUND", message: "Not found" });
    return next();
  })
  .meta({ role: "internal" });

/**
 * Signed-in users acting in an interactive session, not through an API key: a leaked key must not be able to
 * change the password, turn two-factor off or mint more keys.
 */
export const sessionProcedure = viewerProcedure
  .use(({ ctx, next }) => {
    if (ctx.caller?.apiKeyId)
      throw new TRPCError({ code: "FORBIDDEN", message: "Requires a signed-in session, not an API key" });
    return next();
  })
  .meta({ role: "viewer", requiresSession: true });
