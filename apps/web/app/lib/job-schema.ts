import { ZJobDefinition, ZJobName } from "@opsc/contracts/jobs/definition";
import {
  parameterValuesSchema,
  referencedParameters,
  type TParameter,
  type TParameterValues,
} from "@opsc/contracts/jobs/parameters";

// The one place the web app runs the contracts' zod schemas: the job editor and the run form check with exactly
// what the API checks, so a form never accepts what the API refuses and the messages are the API's. Only the job
// pages import this module (it brings zod along); the rest of the app stays free of runtime contract code.

export type FieldErrors = Record<string, string>;

interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
}

/** Issues keyed by their dotted path as the API's error formatter keys them (an unknown field at its own path). */
function keyIssues(issues: readonly Issue[], prefix: (string | number)[] = []): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.map((part) => (typeof part === "number" ? part : String(part)))];
    if (issue.code === "unrecognized_keys" && issue.keys) {
      for (const key of issue.keys) errors[[...path, key].join(".")] ??= "Unknown field";
      continue;
    }
    errors[path.join(".") || "_"] ??= issue.message;
  }
  return errors;
}

/** The job's name and definition as jobs.create / jobs.update check them; keys are definition paths and `name`. */
export function validateJob(name: string, definition: unknown): FieldErrors {
  const errors: FieldErrors = {};
  const nameCheck = ZJobName.safeParse(name);
  if (!nameCheck.success) errors.name = nameCheck.error.issues[0]?.message ?? "Invalid name";
  const result = ZJobDefinition.safeParse(definition);
  if (!result.success) Object.assign(errors, keyIssues(result.error.issues));
  return errors;
}

/**
 * Problems that keep a YAML definition out of the form: fields the form has no place for (they would be lost) and
 * values of the wrong kind (a list where a map belongs, an unknown step type). Other problems show at their fields.
 */
export function yamlProblemsForForm(definition: unknown): FieldErrors {
  const result = ZJobDefinition.safeParse(definition);
  if (result.success) return {};
  const structural = result.error.issues.filter(
    (issue) =>
      issue.code === "unrecognized_keys" || issue.code === "invalid_union" || issue.code === "invalid_type",
  );
  return keyIssues(structural);
}

/**
 * The run form's values as jobs.run checks them: defaults fill what is empty, required ones must be there,
 * `choices` (resolved now) limit choice values. Errors are keyed by parameter name.
 */
export function validateParameterValues(
  parameters: TParameter[],
  values: Record<string, unknown>,
  choices: Record<string, string[]> = {},
): { ok: true; values: TParameterValues } | { ok: false; errors: FieldErrors } {
  const result = parameterValuesSchema(parameters, choices).safeParse(values);
  if (result.success) return { ok: true, values: result.data };
  return { ok: false, errors: keyIssues(result.error.issues) };
}

/** The parameters a choice source depends on (`${NAME}` in its selector or URL). */
export function choiceDependencies(parameter: TParameter): string[] {
  if (parameter.type !== "choice" && parameter.type !== "multi-choice") return [];
  const source = parameter.choices;
  if (source.type === "targets") return referencedNames(source.selector);
  if (source.type === "http") return referencedNames(source.url);
  return [];
}

/** The `${NAME}` references in a selector or URL, each once. */
export function referencedNames(text: string): string[] {
  return [...new Set(referencedParameters(text))];
}
