import { redirect } from "react-router";
import type { ActionFailure } from "./action-result.ts";
import { errorCode, fieldErrors } from "./ops.client.ts";

const MESSAGES: Record<string, string> = {
  UNAUTHORIZED: "Your session has ended. Sign in again.",
  TOO_MANY_REQUESTS: "Too many attempts. Wait a minute and try again.",
  SERVICE_UNAVAILABLE: "The service is unavailable right now. Try again shortly.",
  INTERNAL_SERVER_ERROR: "Something went wrong on the server. Try again.",
};

/** A user-facing sentence for a failed API call. */
export function describeFailure(error: unknown): string {
  const code = errorCode(error);
  if (code && MESSAGES[code]) return MESSAGES[code];
  if (error instanceof Error && error.message) {
    // fetch() failing outright (gateway down, offline) has a browser-specific text, sometimes wrapped by tRPC.
    if (error instanceof TypeError || /failed to fetch|networkerror|load failed/i.test(error.message)) {
      return "Cannot reach the server. Check your connection and try again.";
    }
    return error.message;
  }
  return "Something went wrong. Try again.";
}

/** Turns an API error into a failed ActionResult, with field errors keyed like the form fields. */
export function failureOf<TIntent extends string>(intent: TIntent, error: unknown): ActionFailure<TIntent> {
  if (errorCode(error) === "UNAUTHORIZED") throw redirectToSignIn();
  const errors = fieldErrors(error);
  const hasFields = Object.keys(errors).some((key) => key !== "_");
  return {
    intent,
    ok: false,
    message: hasFields ? "Check the highlighted fields." : describeFailure(error),
    fieldErrors: errors,
  };
}

/** The sign-in page, returning to the current page afterwards. */
export function redirectToSignIn(): Response {
  const next = `${location.pathname}${location.search}`;
  return redirect(next === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`);
}

/** Re-throws an expired session as a redirect to sign-in; anything else goes to the route's ErrorBoundary. */
export function rethrowLoaderError(error: unknown): never {
  if (errorCode(error) === "UNAUTHORIZED") throw redirectToSignIn();
  throw error;
}
