import type { TApiKey } from "@opsc/contracts/users/me";
import { type ActionResult, formSecret, formText, succeeded } from "./action-result.ts";
import { failureOf, rethrowLoaderError } from "./failure.client.ts";
import { getOps } from "./ops.client.ts";
import type { Theme } from "./theme.ts";

export async function loadApiKeys(): Promise<TApiKey[]> {
  try {
    return (await getOps().users.me.apiKeys.list.query()).items;
  } catch (error) {
    rethrowLoaderError(error);
  }
}

export const PROFILE_INTENTS = [
  "update-name",
  "change-password",
  "two-factor-enable",
  "two-factor-verify",
  "two-factor-disable",
  "api-key-create",
  "api-key-revoke",
] as const;
export type ProfileIntent = (typeof PROFILE_INTENTS)[number];

export interface ProfileActionData {
  /** two-factor-enable: shown once, until the code is verified. */
  totpURI?: string;
  backupCodes?: string[];
  /** api-key-create: the secret, shown once. */
  key?: string;
  apiKey?: TApiKey;
}
export type ProfileActionResult = ActionResult<ProfileIntent, ProfileActionData>;

function isProfileIntent(value: string): value is ProfileIntent {
  return (PROFILE_INTENTS as readonly string[]).includes(value);
}

function failed(intent: ProfileIntent, field: string, message: string): ProfileActionResult {
  return { intent, ok: false, message: "Check the highlighted fields.", fieldErrors: { [field]: message } };
}

/**
 * Expiry in days from the form: a number, null when "never expires" is ticked, undefined when unreadable.
 * Checked here because JSON turns NaN into null, which the API would take as "never expires".
 */
function expiresInDays(form: FormData): number | null | undefined {
  if (form.get("neverExpires") === "on") return null;
  const days = Number(formText(form, "expiresInDays"));
  return Number.isInteger(days) && days > 0 ? days : undefined;
}

/** One clientAction for every form on /profile, told apart by the form's `intent` field. */
export async function runProfileAction(form: FormData): Promise<ProfileActionResult> {
  const intent = formText(form, "intent");
  if (!isProfileIntent(intent)) throw new Response(`Unknown intent: ${intent}`, { status: 400 });
  const me = getOps().users.me;
  try {
    switch (intent) {
      case "update-name": {
        const user = await me.update.mutate({ name: formText(form, "name") });
        return succeeded(intent, `Your name is now ${user.name}.`, {});
      }
      case "change-password": {
        const newPassword = formSecret(form, "newPassword");
        if (newPassword !== formSecret(form, "confirmPassword")) {
          return failed(intent, "confirmPassword", "The new passwords do not match");
        }
        await me.changePassword.mutate({
          currentPassword: formSecret(form, "currentPassword"),
          newPassword,
          revokeOtherSessions: form.get("revokeOtherSessions") === "on",
        });
        return succeeded(intent, "Your password has been changed.", {});
      }
      case "two-factor-enable": {
        const setup = await me.twoFactor.enable.mutate({ password: formSecret(form, "password") });
        return succeeded(
          intent,
          "Add the key to your authenticator app, then enter a code to finish.",
          setup,
        );
      }
      case "two-factor-verify":
        await me.twoFactor.verify.mutate({ code: formText(form, "code").replace(/\s+/g, "") });
        return succeeded(intent, "Two-factor sign-in is on.", {});
      case "two-factor-disable":
        await me.twoFactor.disable.mutate({ password: formSecret(form, "password") });
        return succeeded(intent, "Two-factor sign-in is off.", {});
      case "api-key-create": {
        const role = formText(form, "role");
        const days = expiresInDays(form);
        if (days === undefined)
          return failed(intent, "expiresInDays", "Enter a whole number of days, or tick “Never expires”");
        const created = await me.apiKeys.create.mutate({
          name: formText(form, "name"),
          expiresInDays: days,
          ...(role ? { role: role as TApiKey["role"] } : {}),
        });
        return succeeded(intent, `Created the API key ${created.apiKey.name}.`, {
          key: created.key,
          apiKey: created.apiKey,
        });
      }
      case "api-key-revoke":
        await me.apiKeys.revoke.mutate({ id: formText(form, "id") });
        return succeeded(
          intent,
          `Revoked the API key ${formText(form, "label") || formText(form, "id")}.`,
          {},
        );
    }
  } catch (error) {
    return failureOf(intent, error);
  }
}

/** Saves the theme preference; the caller has already applied it locally. */
export async function saveThemePreference(theme: Theme): Promise<void> {
  await getOps().users.me.updatePreferences.mutate({ theme });
}
