import type { TErrorCode } from "@opsc/contracts";

/** HTTP status per error code: one map for tRPC, REST and the gateway-facing envelope. */
export const HTTP_STATUS: Record<TErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

/**
 * The one error type services throw. Only the tRPC middleware turns it into a transport error.
 * `message` is shown to the caller, so it must never carry a secret; `context` is logged, not returned.
 */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: TErrorCode;
  readonly context: Record<string, unknown> | undefined;
  /** The input field the error is about, when there is one; REST and tRPC report it as an issue path. */
  readonly field: string | undefined;

  constructor(
    code: TErrorCode,
    options: { message: string; cause?: unknown; context?: Record<string, unknown>; field?: string },
  ) {
    super(options.message, { cause: options.cause });
    this.code = code;
    this.context = options.context;
    this.field = options.field;
  }

  /** Expected failures (validation, rules, authorization) are not reported as faults. */
  get isExpected(): boolean {
    return HTTP_STATUS[this.code] < 500;
  }
}

export const notFound = (resource: string) => new AppError("NOT_FOUND", { message: `${resource} not found` });
