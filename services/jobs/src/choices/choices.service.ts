import { MAX_CHOICES, type ZJobChoicesRequestSchema } from "@opsc/contracts/jobs/choices";
import {
  referencedParameters,
  substitute,
  type TChoice,
  type TParameter,
} from "@opsc/contracts/jobs/parameters";
import { AppError, callInternal, type InternalCallContext } from "@opsc/server-kit";
import type { z } from "zod";
import type { JobsServiceDeps } from "../deps.ts";
import { loadVersion } from "../jobs/load-version.ts";
import { ChoiceSourceError, fetchHttpChoices } from "./http-source.ts";

/**
 * The options of a choice or multi-choice parameter now: its static list, the targets matching its selector, or
 * what its HTTP endpoint answers, with `${NAME}` replaced by the other parameters' current values.
 */

export type ChoiceParameter = Extract<TParameter, { type: "choice" | "multi-choice" }>;

export function isChoiceParameter(parameter: TParameter): parameter is ChoiceParameter {
  return parameter.type === "choice" || parameter.type === "multi-choice";
}

/** The values `${NAME}` stands for: what the caller gave, else the default; lists joined with commas. */
export function substitutionValues(
  parameters: TParameter[],
  values: Record<string, unknown>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const parameter of parameters) {
    let value = values[parameter.name];
    if (value === undefined || value === null || value === "")
      value = "default" in parameter ? parameter.default : undefined;
    if (value === undefined || value === null) continue;
    out[parameter.name] = Array.isArray(value) ? value.map(String).join(",") : String(value);
  }
  return out;
}

function uniqueCapped(choices: TChoice[], parameterName: string): TChoice[] {
  const seen = new Set<string>();
  const out: TChoice[] = [];
  for (const choice of choices) {
    if (seen.has(choice.value)) continue;
    seen.add(choice.value);
    out.push(choice);
  }
  if (out.length > MAX_CHOICES)
    throw new ChoiceSourceError(
      `"${parameterName}" would offer ${out.length} options, more than ${MAX_CHOICES}; narrow its source`,
    );
  return out;
}

/**
 * Resolves one parameter's options. Failures are AppErrors on `field` whose message names the parameter; they
 * never show a substituted URL or selector (the values may be secret).
 */
export async function resolveChoices(
  deps: Pick<JobsServiceDeps, "inventory">,
  context: InternalCallContext,
  parameter: ChoiceParameter,
  values: Record<string, string>,
  field: string,
): Promise<TChoice[]> {
  const source = parameter.choices;
  const fail = (message: string, cause?: unknown) =>
    new AppError("BAD_REQUEST", { field, message: `Options of "${parameter.name}": ${message}`, cause });
  if (source.type === "static") return source.values;
  const template = source.type === "targets" ? source.selector : source.url;
  // Options that depend on a parameter nobody chose yet: none until it is chosen.
  if (referencedParameters(template).some((name) => !values[name])) return [];
  try {
    if (source.type === "http") {
      const url = substitute(source.url, values, encodeURIComponent);
      return uniqueCapped(await fetchHttpChoices(url, source.path), parameter.name);
    }
    const selector = substitute(source.selector, values);
    const { items } = await callInternal(() =>
      deps.inventory(context).execution.resolve.mutate({ selector }),
    );
    return uniqueCapped(
      items.map((target) => {
        const value = target[source.value];
        return value === target.name ? { value } : { value, label: target.name };
      }),
      parameter.name,
    );
  } catch (error) {
    if (error instanceof ChoiceSourceError) throw fail(error.message, error);
    if (error instanceof AppError && error.code === "BAD_REQUEST")
      throw fail(`the targets could not be listed: ${error.message}`, error);
    throw error;
  }
}

/** `jobs.choices`: one parameter's options for a job version, given the other parameters' current values. */
export async function listChoices(
  deps: JobsServiceDeps,
  context: InternalCallContext,
  input: z.output<typeof ZJobChoicesRequestSchema>,
) {
  const { definition } = await loadVersion(deps.db, input.id, input.version);
  const parameter = definition.parameters.find((candidate) => candidate.name === input.parameter);
  if (!parameter)
    throw new AppError("BAD_REQUEST", {
      field: "parameter",
      message: `"${input.parameter}" is not a parameter of this job`,
    });
  if (!isChoiceParameter(parameter))
    throw new AppError("BAD_REQUEST", {
      field: "parameter",
      message: `"${input.parameter}" is a ${parameter.type} parameter, not a choice`,
    });
  const values = substitutionValues(definition.parameters, input.values);
  return {
    parameter: parameter.name,
    choices: await resolveChoices(deps, context, parameter, values, "parameter"),
  };
}
