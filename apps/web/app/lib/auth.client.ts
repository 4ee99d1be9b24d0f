import { redirect } from "react-router";
import { type ActionResult, formSecret, formText, succeeded } from "./action-result.ts";
import { failureOf } from "./failure.client.ts";
import { safeNextPath } from "./format.ts";
import { errorCode, getOps } from "./ops.client.ts";

export type SignInResult = ActionResult<"password" | "second-factor", { step: "second-factor" }>;

interface AuthClientError {
  status: number;
  message?: string | undefined;
  code?: string | undefined;
}

/** better-auth answers with a status and a code; the sentences here are the ones a user can act on. */
function describeSignInError(error: AuthClientError, step: "password" | "second-factor"): string {
  if (error.status === 429) return "Too many sign-in attempts. Wait a minute, then try again.";
  if (error.code === "BANNED_USER" || error.status === 403)
    return "This account is disabled. Ask an administrator.";
  if (step === "second-factor") {
    if (error.code === "INVALID_TWO_FACTOR_COOKIE")
      return "The sign-in took too long. Start again with your password.";
    return "That code is not valid. Check the time on your device, or use a backup code.";
  }
  if (error.status === 401) return "Wrong e-mail or password.";
  return error.message || "Sign-in failed. Try again.";
}

function failed(intent: "password" | "second-factor", message: string, field?: string): SignInResult {
  return { intent, ok: false, message, fieldErrors: field ? { [field]: message } : {} };
}

/** Step 1: e-mail and password. better-auth answers `twoFactorRedirect` when the account has TOTP enabled. */
export async function signInWithPassword(
  form: FormData,
  nextParam: string | null,
): Promise<SignInResult | Response> {
  const email = formText(form, "email");
  const password = formSecret(form, "password");
  if (!email || !password) return failed("password", "Enter your e-mail and password.");
  const { data, error } = await getOps().session.signIn.email({ email, password });
  if (error) return failed("password", describeSignInError(error, "password"));
  if (data && "twoFactorRedirect" in data && data.twoFactorRedirect) {
    return succeeded("password", "Enter the code from your authenticator app.", {
      step: "second-factor" as const,
    });
  }
  return redirect(safeNextPath(nextParam));
}

/** Step 2: a 6-digit TOTP code, or one of the backup codes shown when two-factor was set up. */
export async function signInWithSecondFactor(
  form: FormData,
  nextParam: string | null,
): Promise<SignInResult | Response> {
  const code = formText(form, "code").replace(/\s+/g, "");
  if (!code) return failed("second-factor", "Enter the code.", "code");
  const twoFactor = getOps().session.twoFactor;
  const { error } = /^\d{6}$/.test(code)
    ? await twoFactor.verifyTotp({ code })
    : await twoFactor.verifyBackupCode({ code });
  if (error) return failed("second-factor", describeSignInError(error, "second-factor"), "code");
  return redirect(safeNextPath(nextParam));
}

/** True when a session cookie is valid; uses get-session, which answers 200 with null rather than a 401. */
export async function hasSession(): Promise<boolean> {
  const { data } = await getOps().session.getSession();
  return Boolean(data?.session);
}

export async function signOut(): Promise<void> {
  await getOps().session.signOut();
}

export async function loadSetupStatus(): Promise<{ needsSetup: boolean }> {
  return getOps().auth.setup.status.query();
}

export type SetupResult = ActionResult<"create-admin">;

export async function createFirstAdmin(form: FormData): Promise<SetupResult | Response> {
  const input = {
    token: formText(form, "token"),
    email: formText(form, "email"),
    name: formText(form, "name"),
    password: formSecret(form, "password"),
  };
  if (input.password !== formSecret(form, "confirmPassword")) {
    return {
      intent: "create-admin",
      ok: false,
      message: "Check the highlighted fields.",
      fieldErrors: { confirmPassword: "The passwords do not match" },
    };
  }
  try {
    await getOps().auth.setup.createAdmin.mutate(input);
  } catch (error) {
    // Somebody finished setup in the meantime: there is nothing left to do here.
    if (errorCode(error) === "CONFLICT" && !("email" in failureOf("create-admin", error).fieldErrors)) {
      return redirect("/sign-in?setup=exists");
    }
    return failureOf("create-admin", error);
  }
  return redirect(`/sign-in?setup=done&email=${encodeURIComponent(input.email)}`);
}
