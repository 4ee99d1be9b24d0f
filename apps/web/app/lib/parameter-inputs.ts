// How the run form's generated fields are named, and the API's errors keyed the same way. Free of runtime contract
// code, so the clients (jobs, schedules) can use it without bringing zod into the pages that only list things.

/** The form field of a parameter: prefixed, so a parameter named like a form control (`intent`) cannot clash. */
export function parameterInputName(name: string): string {
  return `param:${name}`;
}

/**
 * The API's refusal keyed like the form: `parameters.<name>` (and an update's `data.parameters.<name>`) at the
 * parameter's field, other fields (the blackout's `overrideReason`, a schedule's `data.cron`) by their name.
 */
export function normaliseParameterErrors(errors: Record<string, string>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [path, message] of Object.entries(errors)) {
    const field = path.startsWith("data.") ? path.slice("data.".length) : path;
    const key = field.startsWith("parameters.")
      ? parameterInputName(field.slice("parameters.".length).split(".")[0]!)
      : field;
    result[key] ??= message;
  }
  return result;
}
