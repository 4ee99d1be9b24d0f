import { z } from "zod";

/**
 * A job's typed parameters, and the one function that validates values against them: the jobs service and the web
 * app's run form both call `parameterValuesSchema`, so a value the form accepts is a value the API accepts.
 *
 * A parameter reaches the job's steps as an environment variable of the same name (never spliced into a command
 * line): strings and numbers as written, booleans as `true`/`false`, multi-choice values one per line.
 */

export const ZParameterName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, "letters, digits and '_', not starting with a digit")
  .refine((name) => !name.startsWith("OPSC_"), "OPSC_ names are reserved for the values OpsConductor sets");

/** `${NAME}` references to other parameters inside a choice source (a selector, a URL). */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function referencedParameters(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((match) => match[1]!);
}

/** Replaces `${NAME}` with the value of NAME (empty when unset). For selectors and URLs, never for shell lines. */
export function substitute(
  text: string,
  values: Record<string, string>,
  encode = (value: string) => value,
): string {
  return text.replace(REFERENCE, (_, name: string) => encode(values[name] ?? ""));
}

export const ZChoice = z.strictObject({
  value: z.string().min(1).max(500),
  label: z.string().max(200).optional(),
});
export type TChoice = z.infer<typeof ZChoice>;

/**
 * Where a choice parameter's options come from: a fixed list; the targets matching a selector (their id, name or
 * address); or an HTTP endpoint answering JSON (an array of strings, or of objects with `value` and `label`, found
 * at `path`, a dotted path into the answer). A selector or URL may name other parameters as `${NAME}`: the options
 * then depend on those parameters' values and are fetched again when they change.
 */
export const ZChoiceSource = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("static"), values: z.array(ZChoice).min(1).max(1000) }),
  z.strictObject({
    type: z.literal("targets"),
    selector: z.string().trim().min(1).max(2000),
    value: z.enum(["id", "name", "address"]).default("name"),
  }),
  z.strictObject({
    type: z.literal("http"),
    url: z
      .string()
      .max(2000)
      .regex(/^https?:\/\//, "an http:// or https:// URL"),
    path: z.string().max(200).optional(),
  }),
]);
export type TChoiceSource = z.output<typeof ZChoiceSource>;

const common = {
  name: ZParameterName,
  label: z.string().trim().max(100).optional(),
  description: z.string().max(2000).optional(),
  required: z.boolean().default(false),
};

export const ZParameter = z.discriminatedUnion("type", [
  z.strictObject({
    ...common,
    type: z.literal("string"),
    default: z.string().max(32_768).optional(),
    /** The whole value must match (anchored). */
    regex: z.string().max(500).optional(),
    minLength: z.number().int().min(0).max(32_768).optional(),
    maxLength: z.number().int().min(1).max(32_768).optional(),
    multiline: z.boolean().optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal("integer"),
    default: z.number().int().optional(),
    min: z.number().int().optional(),
    max: z.number().int().optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal("number"),
    default: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  }),
  z.strictObject({ ...common, type: z.literal("boolean"), default: z.boolean().optional() }),
  z.strictObject({
    ...common,
    type: z.literal("choice"),
    choices: ZChoiceSource,
    default: z.string().max(500).optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal("multi-choice"),
    choices: ZChoiceSource,
    default: z.array(z.string().max(500)).max(1000).optional(),
    min: z.number().int().min(0).optional(),
    max: z.number().int().min(1).optional(),
  }),
  /** Never shown, logged or returned once given; redacted from the job's output. No default. */
  z.strictObject({
    ...common,
    type: z.literal("secret"),
    regex: z.string().max(500).optional(),
  }),
  /** A target selector (see the targets service); the job's targets may come from it. */
  z.strictObject({ ...common, type: z.literal("target-selector"), default: z.string().max(2000).optional() }),
]);
export type TParameter = z.output<typeof ZParameter>;
export type TParameterInput = z.input<typeof ZParameter>;
export const PARAMETER_TYPES = [
  "string",
  "integer",
  "number",
  "boolean",
  "choice",
  "multi-choice",
  "secret",
  "target-selector",
] as const;

/** Checks a parameter list as a whole: unique names, sane bounds, valid regexes, defaults that pass their own rules. */
export function checkParameters(parameters: TParameter[], ctx: z.RefinementCtx, path: (string | number)[]) {
  const seen = new Set<string>();
  parameters.forEach((parameter, index) => {
    const at = [...path, index];
    if (seen.has(parameter.name))
      ctx.addIssue({ code: "custom", path: [...at, "name"], message: `"${parameter.name}" is used twice` });
    seen.add(parameter.name);
    if ("regex" in parameter && parameter.regex !== undefined) {
      try {
        new RegExp(parameter.regex);
      } catch {
        ctx.addIssue({ code: "custom", path: [...at, "regex"], message: "not a valid regular expression" });
      }
    }
    if (
      "min" in parameter &&
      "max" in parameter &&
      parameter.min !== undefined &&
      parameter.max !== undefined
    )
      if (parameter.min > parameter.max)
        ctx.addIssue({ code: "custom", path: [...at, "max"], message: "max is below min" });
    if (parameter.type === "choice" || parameter.type === "multi-choice") {
      const source = parameter.choices;
      const text = source.type === "targets" ? source.selector : source.type === "http" ? source.url : "";
      for (const name of referencedParameters(text)) {
        if (name === parameter.name)
          ctx.addIssue({
            code: "custom",
            path: [...at, "choices"],
            message: "a parameter cannot depend on itself",
          });
        else if (!parameters.some((other) => other.name === name))
          ctx.addIssue({
            code: "custom",
            path: [...at, "choices"],
            message: `"${name}" is not a parameter of this job`,
          });
      }
    }
    const fallback = defaultOf(parameter);
    if (fallback !== undefined && parameter.type !== "choice" && parameter.type !== "multi-choice") {
      const check = parameterValueSchema(parameter).safeParse(fallback);
      if (!check.success)
        ctx.addIssue({
          code: "custom",
          path: [...at, "default"],
          message: `the default does not pass this parameter's rules: ${check.error.issues[0]?.message}`,
        });
    }
  });
}

function defaultOf(parameter: TParameter): unknown {
  return "default" in parameter ? parameter.default : undefined;
}

/**
 * The schema of one parameter's value. `choices` are the allowed values of a choice or multi-choice parameter as
 * resolved now (from the static list, the target query or the HTTP endpoint); without them only the shape is checked.
 */
export function parameterValueSchema(parameter: TParameter, choices?: string[]): z.ZodType {
  const label = parameter.label ?? parameter.name;
  switch (parameter.type) {
    case "string":
    case "secret": {
      let schema = z.string().max(32_768);
      if (parameter.type === "string" && parameter.minLength !== undefined)
        schema = schema.min(parameter.minLength, `${label}: at least ${parameter.minLength} characters`);
      if (parameter.type === "string" && parameter.maxLength !== undefined)
        schema = schema.max(parameter.maxLength, `${label}: at most ${parameter.maxLength} characters`);
      if (parameter.required) schema = schema.min(1, `${label} is required`);
      if (parameter.regex !== undefined) {
        const pattern = parameter.regex;
        return schema.refine(
          (value) => (value === "" && !parameter.required) || safeMatch(pattern, value),
          parameter.type === "secret"
            ? `${label} does not have the expected form`
            : `${label} must match ${pattern}`,
        );
      }
      return schema;
    }
    case "target-selector": {
      const schema = z.string().trim().max(2000);
      return parameter.required ? schema.min(1, `${label} is required`) : schema;
    }
    case "integer":
    case "number": {
      let schema =
        parameter.type === "integer"
          ? z.coerce.number().int(`${label} must be a whole number`)
          : z.coerce.number();
      schema = schema.refine(Number.isFinite, `${label} must be a number`);
      if (parameter.min !== undefined)
        schema = schema.min(parameter.min, `${label} must be at least ${parameter.min}`);
      if (parameter.max !== undefined)
        schema = schema.max(parameter.max, `${label} must be at most ${parameter.max}`);
      return schema;
    }
    case "boolean":
      return z.union([z.boolean(), z.enum(["true", "false"]).transform((value) => value === "true")]);
    case "choice": {
      const schema = z.string().max(500);
      return schema.refine(
        (value) => (value === "" && !parameter.required) || choices === undefined || choices.includes(value),
        choices
          ? `${label} must be one of: ${choices.slice(0, 10).join(", ")}${choices.length > 10 ? ", …" : ""}`
          : "",
      );
    }
    case "multi-choice": {
      let schema = z.array(z.string().max(500)).max(1000);
      if (parameter.min !== undefined)
        schema = schema.min(parameter.min, `${label}: choose at least ${parameter.min}`);
      if (parameter.max !== undefined)
        schema = schema.max(parameter.max, `${label}: choose at most ${parameter.max}`);
      return schema.refine(
        (values) => choices === undefined || values.every((value) => choices.includes(value)),
        `${label}: not one of the choices`,
      );
    }
  }
}

function safeMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return false;
  }
}

export type TParameterValue = string | number | boolean | string[];
export type TParameterValues = Record<string, TParameterValue>;

/**
 * The schema of a whole set of values for these parameters: unknown names are refused, defaults fill what is
 * missing, required ones must be there. Issues name the parameter (`parameters.<name>`).
 */
export function parameterValuesSchema(parameters: TParameter[], choices: Record<string, string[]> = {}) {
  return z.record(z.string(), z.unknown()).transform((values, ctx) => {
    for (const name of Object.keys(values))
      if (!parameters.some((parameter) => parameter.name === name))
        ctx.addIssue({ code: "custom", path: [name], message: `"${name}" is not a parameter of this job` });
    const out: TParameterValues = {};
    for (const parameter of parameters) {
      let value = values[parameter.name];
      if (value === undefined || value === null || value === "") value = defaultOf(parameter);
      if (value === undefined) {
        if (parameter.required) {
          ctx.addIssue({
            code: "custom",
            path: [parameter.name],
            message: `${parameter.label ?? parameter.name} is required`,
          });
        }
        continue;
      }
      const parsed = parameterValueSchema(parameter, choices[parameter.name]).safeParse(value);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: "custom", path: [parameter.name], message: issue.message });
        continue;
      }
      out[parameter.name] = parsed.data as TParameterValue;
    }
    return out;
  });
}

/** Parameter values as the environment variables steps receive, split into plain and secret ones. */
export function parameterEnv(parameters: TParameter[], values: TParameterValues) {
  const env: Record<string, string> = {};
  const secretEnv: Record<string, string> = {};
  for (const parameter of parameters) {
    const value = values[parameter.name];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join("\n") : String(value);
    if (parameter.type === "secret") secretEnv[parameter.name] = text;
    else env[parameter.name] = text;
  }
  return { env, secretEnv };
}

/** Values with every secret replaced, for what is stored, shown, logged or sent in events. */
export function maskSecrets(parameters: TParameter[], values: TParameterValues): TParameterValues {
  const out: TParameterValues = { ...values };
  for (const parameter of parameters)
    if (parameter.type === "secret" && parameter.name in out) out[parameter.name] = "********";
  return out;
}
