import type { TChoice, TParameter, TParameterValues } from "@opsc/contracts/jobs/parameters";
import { choiceDependencies, type FieldErrors, validateParameterValues } from "./job-schema.ts";
import { parameterInputName } from "./parameter-inputs.ts";

// The run form generated from a job's parameters: one field per parameter, its control chosen by the type, and the
// values read back from the form and checked with the contract's parameterValuesSchema (job-schema.ts). The same
// model serves "Run" on a job and a schedule's parameters.

export type RunFieldControl =
  | "text"
  | "textarea"
  | "number"
  | "checkbox"
  | "select"
  | "multi-select"
  | "password"
  | "selector";

export interface RunField {
  name: string;
  label: string;
  description: string | null;
  required: boolean;
  control: RunFieldControl;
  /** What the field starts with: the parameter's default (never a secret's). */
  initial: string | string[] | boolean;
  /** Number inputs: the browser's stepping and bounds (the schema still decides). */
  numberStep: "1" | "any" | null;
  min: number | null;
  max: number | null;
  /** Static choices are known at once; null for dynamic ones (fetched) and for other types. */
  choices: TChoice[] | null;
  /** A choice list fetched from jobs.choices (targets or HTTP source). */
  isDynamic: boolean;
  /** The parameters whose values the dynamic choices depend on (`${NAME}`); a change fetches them again. */
  dependsOn: string[];
}

function controlOf(parameter: TParameter): RunFieldControl {
  switch (parameter.type) {
    case "string":
      return parameter.multiline ? "textarea" : "text";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "checkbox";
    case "choice":
      return "select";
    case "multi-choice":
      return "multi-select";
    case "secret":
      return "password";
    case "target-selector":
      return "selector";
  }
}

function initialOf(parameter: TParameter): RunField["initial"] {
  switch (parameter.type) {
    case "boolean":
      return parameter.default ?? false;
    case "multi-choice":
      return parameter.default ?? [];
    case "integer":
    case "number":
      return parameter.default === undefined ? "" : String(parameter.default);
    case "secret":
      return "";
    default:
      return parameter.default ?? "";
  }
}

/** One field per parameter, in the job's order. */
export function runFieldsOf(parameters: readonly TParameter[]): RunField[] {
  return parameters.map((parameter) => {
    const isChoice = parameter.type === "choice" || parameter.type === "multi-choice";
    const source = isChoice ? parameter.choices : null;
    const hasBounds = parameter.type === "integer" || parameter.type === "number";
    return {
      name: parameter.name,
      label: parameter.label || parameter.name,
      description: parameter.description || null,
      required: parameter.required,
      control: controlOf(parameter),
      initial: initialOf(parameter),
      numberStep: parameter.type === "integer" ? "1" : parameter.type === "number" ? "any" : null,
      min: hasBounds ? (parameter.min ?? null) : null,
      max: hasBounds ? (parameter.max ?? null) : null,
      choices: source?.type === "static" ? source.values : null,
      isDynamic: source !== null && source.type !== "static",
      dependsOn: choiceDependencies(parameter),
    };
  });
}

/**
 * The values to send, from the form's state: text loses stray spaces at its ends (not secrets or multi-line text),
 * empty text is left out so the parameter's default applies, as the API does.
 */
export function submittedValues(
  fields: readonly RunField[],
  values: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (typeof value === "string") {
      const kept = field.control === "password" || field.control === "textarea" ? value : value.trim();
      if (kept !== "") result[field.name] = kept;
    } else if (value !== undefined && value !== null) result[field.name] = value;
  }
  return result;
}

/** The current values of the fields a dynamic choice list depends on, as its fetch key (stable order). */
export function dependencyValues(
  field: RunField,
  values: Readonly<Record<string, unknown>>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of [...field.dependsOn].sort()) {
    const value = values[name];
    result[name] = Array.isArray(value) ? value.join("\n") : value === undefined ? "" : String(value);
  }
  return result;
}

/**
 * Checks the values with the contract's schema, against fixed choice lists and dynamic ones as fetched now (a
 * dynamic list not loaded yet is checked by shape only; the API resolves it again). Errors are keyed by the
 * parameters' input names.
 */
export function checkRunValues(
  parameters: TParameter[],
  values: Record<string, unknown>,
  choices: Record<string, readonly TChoice[] | undefined>,
): { ok: true; values: TParameterValues } | { ok: false; errors: FieldErrors } {
  const allowed: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(choices))
    if (list) allowed[name] = list.map((choice) => choice.value);
  // A fixed list is known without asking: the schema checks against it like the API does.
  for (const parameter of parameters)
    if (
      (parameter.type === "choice" || parameter.type === "multi-choice") &&
      parameter.choices.type === "static"
    )
      allowed[parameter.name] = parameter.choices.values.map((choice) => choice.value);
  const result = validateParameterValues(parameters, values, allowed);
  if (result.ok) return result;
  const errors: FieldErrors = {};
  for (const [name, message] of Object.entries(result.errors))
    errors[name === "_" ? "_" : parameterInputName(name)] ??= message;
  return { ok: false, errors };
}

export type RunOutcome = "started" | "queued" | "skipped";

/** What a start that did not open a run page says. */
export function describeRunOutcome(outcome: RunOutcome, activeRunId: string | null): string {
  const active = activeRunId ? ` ${activeRunId.slice(0, 8)}` : "";
  switch (outcome) {
    case "started":
      return "Started.";
    case "queued":
      return `Queued behind run${active}: it starts when that run ends.`;
    case "skipped":
      return `Skipped: run${active} of this job is still active, and the job does not start another meanwhile.`;
  }
}
