import type { TCredential, TCredentialKind, TCredentialSecret } from "@opsc/contracts/targets/credentials";
import { type ActionResult, formSecret, formText, succeeded } from "./action-result.ts";
import { isCredentialKind, SECRET_FIELDS } from "./credentials.presenter.ts";
import { failureOf, rethrowLoaderError } from "./failure.client.ts";
import { errorCode, getOps } from "./ops.client.ts";
import { normaliseFieldErrors } from "./targets.presenter.ts";

export type CredentialsLoaderData = { kind: "forbidden" } | { kind: "ok"; credentials: TCredential[] };

/**
 * Metadata only: the API never returns a secret. Viewers may not list credentials; they get a page saying so.
 * The target pages load this route with a fetcher for their credential pickers.
 */
export async function loadCredentials(): Promise<CredentialsLoaderData> {
  try {
    return { kind: "ok", credentials: (await getOps().targets.credentials.list.query()).items };
  } catch (error) {
    if (errorCode(error) === "FORBIDDEN") return { kind: "forbidden" };
    rethrowLoaderError(error);
  }
}

export const CREDENTIAL_INTENTS = ["create", "update", "delete"] as const;
export type CredentialIntent = (typeof CREDENTIAL_INTENTS)[number];
/** The result carries metadata only, never what was typed into a secret field. */
export type CredentialsActionResult = ActionResult<CredentialIntent, { credential?: TCredential }>;

function isCredentialIntent(value: string): value is CredentialIntent {
  return (CREDENTIAL_INTENTS as readonly string[]).includes(value);
}

/**
 * The secret from the form's `secret.*` fields. Secret values are read untrimmed (spaces can belong to a
 * password; a private key needs its final newline); names are trimmed. Not validated here: the API names the
 * bad fields.
 */
export function secretFromForm(form: FormData, kind: TCredentialKind): TCredentialSecret {
  const values: Record<string, string> = {};
  for (const field of SECRET_FIELDS[kind]) {
    const value = field.type === "text" ? formText(form, field.name) : formSecret(form, field.name);
    if (field.optional && !value) continue;
    values[field.name.slice("secret.".length)] = value;
  }
  return { kind, ...values } as TCredentialSecret;
}

/** One clientAction for every change on /credentials (admins only; the API enforces it). */
export async function runCredentialsAction(form: FormData): Promise<CredentialsActionResult> {
  const intent = formText(form, "intent");
  if (!isCredentialIntent(intent)) throw new Response(`Unknown intent: ${intent}`, { status: 400 });
  const credentials = getOps().targets.credentials;
  const id = formText(form, "id");
  const kind = formText(form, "kind");
  try {
    switch (intent) {
      case "create": {
        if (!isCredentialKind(kind)) {
          return { intent, ok: false, message: "Choose a kind.", fieldErrors: { kind: "Choose a kind" } };
        }
        const credential = await credentials.create.mutate({
          name: formText(form, "name"),
          description: formText(form, "description"),
          secret: secretFromForm(form, kind),
        });
        return succeeded(intent, `Stored the credential ${credential.name}.`, { credential });
      }
      case "update": {
        const replace = form.get("replaceSecret") === "on" && isCredentialKind(kind);
        const credential = await credentials.update.mutate({
          id,
          data: {
            name: formText(form, "name"),
            description: formText(form, "description"),
            ...(replace ? { secret: secretFromForm(form, kind) } : {}),
          },
        });
        return succeeded(
          intent,
          replace ? `Replaced the secret of ${credential.name}.` : `Saved the credential ${credential.name}.`,
          { credential },
        );
      }
      case "delete":
        await credentials.delete.mutate({ id });
        return succeeded(intent, `Deleted the credential ${formText(form, "label") || id}.`, {});
    }
  } catch (error) {
    const failure = failureOf(intent, error);
    return { ...failure, fieldErrors: normaliseFieldErrors(failure.fieldErrors) };
  }
}
