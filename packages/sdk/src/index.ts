import type { AuditRouter } from "@opsc/audit-service/router";
import type { AuthRouter } from "@opsc/auth/router";
import type { DiscoveryRouter } from "@opsc/discovery/router";
import type { ExecutionRouter } from "@opsc/execution/router";
import type { JobsRouter } from "@opsc/jobs/router";
import type { TargetsRouter } from "@opsc/targets/router";
import type { UsersRouter } from "@opsc/users/router";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
} from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { createAuthClient } from "better-auth/client";
import { twoFactorClient } from "better-auth/client/plugins";
import { EventSource as EventSourcePolyfill } from "eventsource";

export interface OpsClientOptions {
  /** The gateway URL, e.g. `https://ops.example.com`; omit in the browser to use the page's origin. */
  baseUrl?: string;
  /** An API key (`opsc_...`), sent as `x-api-key`. */
  apiKey?: string;
  /** A bearer token: the session token from sign-in, or a JWT from `/api/auth/token`. */
  token?: string;
  /** Extra headers per request, e.g. a forwarded cookie in server-side rendering. */
  headers?: () => Record<string, string>;
  /** A custom fetch (tests pass an app's `handle`). In the browser the session cookie is sent automatically. */
  fetch?: typeof fetch;
}

function serviceClient<TRouter extends AnyTRPCRouter>(
  service: string,
  options: OpsClientOptions,
  baseUrl: string,
): TRPCClient<TRouter> {
  const fetchImpl = options.fetch;
  const url = `${baseUrl}/trpc/${service}`;
  const send = (input: unknown, init: unknown) =>
    (fetchImpl ?? fetch)(input as string, { ...(init as RequestInit), credentials: "include" });
  return createTRPCClient<TRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        // Subscriptions (the live log tail) are server-sent events. Browsers have EventSource and send the session
        // cookie; elsewhere the `eventsource` package does, through our fetch, so API keys and tokens go along.
        true: httpSubscriptionLink({
          url,
          EventSource:
            (globalThis as { EventSource?: typeof EventSourcePolyfill }).EventSource ?? EventSourcePolyfill,
          eventSourceOptions: () => ({
            withCredentials: true,
            fetch: (input: string | URL, init?: RequestInit) =>
              send(input, {
                ...init,
                headers: { ...(init?.headers as Record<string, string>), ...authHeaders(options) },
              }),
          }),
        } as unknown as Parameters<typeof httpSubscriptionLink<TRouter, typeof EventSourcePolyfill>>[0]),
        // Each service has its own endpoint, so a batch never crosses services and the gateway can route it.
        false: httpBatchLink<TRouter>({
          url,
          headers: () => authHeaders(options),
          fetch: send,
        } as unknown as Parameters<typeof httpBatchLink<TRouter>>[0]),
      }),
    ],
  });
}

function authHeaders(options: OpsClientOptions): Record<string, string> {
  const headers: Record<string, string> = { ...(options.headers?.() ?? {}) };
  if (options.apiKey) headers["x-api-key"] = options.apiKey;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  return headers;
}

/**
 * One typed client for every OpsConductor service. Works in Node, Bun and the browser.
 *
 * ```ts
 * const ops = createOpsClient({ baseUrl: "https://ops.example.com", apiKey: process.env.OPSC_API_KEY });
 * const { items } = await ops.users.accounts.list.query({ search: "ana" });
 * ```
 */
export function createOpsClient(options: OpsClientOptions = {}) {
  const baseUrl = (options.baseUrl ?? (typeof location !== "undefined" ? location.origin : "")).replace(
    /\/$/,
    "",
  );
  if (!baseUrl) throw new Error("createOpsClient: baseUrl is required outside the browser");
  const fetchImpl = options.fetch;
  return {
    auth: serviceClient<AuthRouter>("auth", options, baseUrl),
    users: serviceClient<UsersRouter>("users", options, baseUrl),
    targets: serviceClient<TargetsRouter>("targets", options, baseUrl),
    discovery: serviceClient<DiscoveryRouter>("discovery", options, baseUrl),
    execution: serviceClient<ExecutionRouter>("execution", options, baseUrl),
    jobs: serviceClient<JobsRouter>("jobs", options, baseUrl),
    audit: serviceClient<AuditRouter>("audit", options, baseUrl),
    /** Sign-in, sign-out and the two-factor step (better-auth's client, under /api/auth). */
    session: createAuthClient({
      baseURL: `${baseUrl}/api/auth`,
      plugins: [twoFactorClient()],
      fetchOptions: {
        headers: authHeaders(options),
        ...(fetchImpl ? { customFetchImpl: fetchImpl } : {}),
      },
    }),
  };
}

export type OpsClient = ReturnType<typeof createOpsClient>;

export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

/** The error code (`NOT_FOUND`, `FORBIDDEN`, ...) of a failed call, or null for other errors. */
export function errorCode(error: unknown): string | null {
  if (error instanceof TRPCClientError) return (error.data as { code?: string } | undefined)?.code ?? null;
  return null;
}

/** Field errors keyed by dotted path (`email`, `data.role`), for showing next to form fields. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof TRPCClientError)) return {};
  const issues = ((error.data as { issues?: FieldIssue[] | null } | undefined)?.issues ?? []) as FieldIssue[];
  const result: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.join(".") || "_";
    result[key] ??= issue.message;
  }
  return result;
}

export type { AuditRouter, AuthRouter, DiscoveryRouter, JobsRouter, TargetsRouter, UsersRouter };
export { TRPCClientError };
