import { type TCaller, type TErrorCode, ZCaller } from "@opsc/contracts";
import { createTRPCClient, httpLink, type TRPCClient, TRPCClientError } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import type { Authenticate } from "./context.ts";
import { AppError } from "./errors.ts";

export const INTERNAL_TOKEN_HEADER = "x-opsc-internal-token";
export const INTERNAL_CALLER_HEADER = "x-opsc-caller";
export const INTERNAL_CLIENT_IP_HEADER = "x-opsc-client-ip";
/** The end user's own credentials, forwarded so the owning service can act in their session (2FA, say). */
const FORWARDED_CREDENTIALS = ["cookie", "authorization", "x-api-key", "user-agent"];

export function encodeCaller(caller: TCaller | null): string {
  return caller ? Buffer.from(JSON.stringify(caller)).toString("base64url") : "";
}

export function decodeCaller(value: string | null): TCaller | null {
  if (!value) return null;
  try {
    return ZCaller.parse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
  } catch {
    return null;
  }
}

export interface InternalCallContext {
  requestId: string;
  sourceIp: string | null;
  caller: TCaller | null;
  headers: Headers;
}

/** A typed client for another service's internal router, bound per request to its caller and request id. */
export type InternalClient<TRouter extends AnyTRPCRouter> = (
  context: InternalCallContext,
) => TRPCClient<TRouter>;

/**
 * Authentication for every service but auth: the request's credentials go to the auth service's internal
 * `identity.authenticate`, which owns sessions, JWTs and API keys.
 */
export function remoteAuthenticate(
  identity: (context: InternalCallContext) => { authenticate: { query(): Promise<TCaller | null> } },
): Authenticate {
  return (headers, request) =>
    callInternal(() => identity({ ...request, caller: null, headers }).authenticate.query());
}

/**
 * A typed client for another service's internal router. In distributed mode `fetch` is the network; in tests
 * and in-process compositions it can be the other app's `handle`, so both run the same code path.
 */
export function createInternalClient<TRouter extends AnyTRPCRouter>(options: {
  baseUrl: string;
  name: string;
  token: string;
  fetch?: (input: Request | string | URL, init?: RequestInit) => Promise<Response>;
}): InternalClient<TRouter> {
  const url = `${options.baseUrl.replace(/\/$/, "")}/internal/trpc/${options.name}`;
  const fetchImpl = options.fetch;
  return (context) =>
    createTRPCClient<TRouter>({
      links: [
        // The router generic cannot be inferred through the link options; the link itself is transformer-free.
        httpLink<TRouter>({
          url,
          ...(fetchImpl
            ? { fetch: (input: unknown, init: unknown) => fetchImpl(input as string, init as RequestInit) }
            : {}),
          headers: () => {
            const headers: Record<string, string> = {
              [INTERNAL_TOKEN_HEADER]: options.token,
              [INTERNAL_CALLER_HEADER]: encodeCaller(context.caller),
              "x-request-id": context.requestId,
            };
            if (context.sourceIp) headers[INTERNAL_CLIENT_IP_HEADER] = context.sourceIp;
            for (const name of FORWARDED_CREDENTIALS) {
              const value = context.headers.get(name);
              if (value) headers[name] = value;
            }
            return headers;
          },
        } as unknown as Parameters<typeof httpLink<TRouter>>[0]),
      ],
    });
}

/** Turns another service's error back into our AppError, keeping its code, message and field. */
export function fromInternalError(error: unknown): unknown {
  if (!(error instanceof TRPCClientError)) return error;
  const data = error.data as
    | { code?: TErrorCode; issues?: { path: (string | number)[] }[] | null }
    | undefined;
  const code = data?.code ?? "SERVICE_UNAVAILABLE";
  const field = data?.issues?.[0]?.path.join(".");
  return new AppError(code, {
    message:
      code === "SERVICE_UNAVAILABLE" ? "A service this request depends on is unavailable" : error.message,
    cause: error,
    ...(field ? { field } : {}),
  });
}

/** Runs an internal call and rethrows its failure as an AppError. */
export async function callInternal<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw fromInternalError(error);
  }
}
