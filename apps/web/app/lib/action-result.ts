/** What every clientAction returns: the component shows `message` and puts `fieldErrors` next to fields. */
export type ActionResult<TIntent extends string = string, TData = undefined> =
  | { intent: TIntent; ok: true; message: string; data: TData }
  | { intent: TIntent; ok: false; message: string; fieldErrors: Record<string, string> };

export type ActionFailure<TIntent extends string = string> = Extract<ActionResult<TIntent>, { ok: false }>;

export function succeeded<TIntent extends string>(
  intent: TIntent,
  message: string,
): ActionResult<TIntent, undefined>;
export function succeeded<TIntent extends string, TData>(
  intent: TIntent,
  message: string,
  data: TData,
): ActionResult<TIntent, TData>;
export function succeeded<TIntent extends string, TData>(intent: TIntent, message: string, data?: TData) {
  return { intent, ok: true as const, message, data };
}

/** Field errors of a result, or an empty object; safe on `undefined` (no submission yet). */
export function fieldErrorsOf(result: ActionResult<string, unknown> | undefined): Record<string, string> {
  return result && !result.ok ? result.fieldErrors : {};
}

/** Reads a form field as a trimmed string ("" when missing). */
export function formText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value.trim() : "";
}

/** Reads a password field untrimmed: spaces are legitimate characters in a password. */
export function formSecret(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}
