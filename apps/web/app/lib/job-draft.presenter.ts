import type { TStepAction, TStepInput } from "@opsc/contracts/execution/plan";
import type { TJobDefinitionInput } from "@opsc/contracts/jobs/definition";
import type { TChoiceSource, TParameterInput } from "@opsc/contracts/jobs/parameters";
import { parseFailureThreshold, SHELLS, type TShell } from "./execution.presenter.ts";
import {
  type ChoiceRow,
  type JobDraft,
  type JobParameterDraft,
  type KeyValueDraft,
  newChoiceRow,
  newKeyValue,
  newParameter,
  newStep,
  nextUid,
  type OutputTestDraft,
  operatorTakesValue,
  type ParameterDraft,
  type StepDraft,
  type ValueKind,
} from "./job-draft.ts";

// The job editor's form ⇄ the contract's definition. `draftToDefinition` reports only what the schema cannot see
// (text that is not a number); everything else is left to ZJobDefinition (job-schema.ts), which the API runs too,
// so the form shows the API's own messages. Error keys are the definition's paths joined with dots.

export type FieldErrors = Record<string, string>;

/** Separated by commas, spaces or new lines; blanks dropped. */
export function splitWords(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((word) => word.trim())
    .filter(Boolean);
}

function splitLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

function numberText(value: number | undefined): string {
  return value === undefined ? "" : String(value);
}

// ---------------------------------------------------------------------------------------------------------
// Definition → form

function choiceRowsOf(source: Extract<TParameterInput, { type: "choice" }>["choices"]): ChoiceRow[] {
  if (source.type !== "static") return [newChoiceRow()];
  return source.values.map((choice) => newChoiceRow(choice.value, choice.label ?? ""));
}

function parameterToDraft(parameter: TParameterInput): ParameterDraft {
  const draft: ParameterDraft = {
    ...newParameter(parameter.name),
    type: parameter.type,
    label: parameter.label ?? "",
    description: parameter.description ?? "",
    required: parameter.required ?? false,
  };
  switch (parameter.type) {
    case "string":
      return {
        ...draft,
        defaultValue: parameter.default ?? "",
        regex: parameter.regex ?? "",
        minLength: numberText(parameter.minLength),
        maxLength: numberText(parameter.maxLength),
        multiline: parameter.multiline ?? false,
      };
    case "secret":
      return { ...draft, regex: parameter.regex ?? "" };
    case "integer":
    case "number":
      return {
        ...draft,
        defaultValue: numberText(parameter.default),
        min: numberText(parameter.min),
        max: numberText(parameter.max),
      };
    case "boolean":
      return { ...draft, defaultValue: parameter.default === undefined ? "" : String(parameter.default) };
    case "target-selector":
      return { ...draft, defaultValue: parameter.default ?? "" };
    case "choice":
    case "multi-choice": {
      const source = parameter.choices;
      const withSource: ParameterDraft = {
        ...draft,
        source: source.type,
        choices: choiceRowsOf(source),
        selector: source.type === "targets" ? source.selector : "",
        selectorValue: source.type === "targets" ? (source.value ?? "name") : "name",
        url: source.type === "http" ? source.url : "",
        path: source.type === "http" ? (source.path ?? "") : "",
      };
      if (parameter.type === "choice") return { ...withSource, defaultValue: parameter.default ?? "" };
      return {
        ...withSource,
        defaultValue: (parameter.default ?? []).join("\n"),
        min: numberText(parameter.min),
        max: numberText(parameter.max),
      };
    }
  }
}

function kindOf(value: unknown): ValueKind {
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  if (Array.isArray(value)) return "list";
  return "string";
}

function jobParameterRows(parameters: Record<string, unknown> | undefined): JobParameterDraft[] {
  return Object.entries(parameters ?? {}).map(([key, value]) => ({
    ...newKeyValue(key, Array.isArray(value) ? value.map(String).join("\n") : String(value)),
    kind: kindOf(value),
  }));
}

function actionToDraft(step: StepDraft, action: TStepInput["action"]): StepDraft {
  switch (action.type) {
    case "command":
      return { ...step, type: "command", command: action.command, shell: action.shell ?? "sh" };
    case "script":
      return { ...step, type: "script", script: action.script, shell: action.shell ?? "sh" };
    case "http":
      return {
        ...step,
        type: "http",
        method: action.method ?? "GET",
        path: action.path ?? "/",
        headers: Object.entries(action.headers ?? {}).map(([key, value]) => newKeyValue(key, value)),
        body: action.body ?? "",
        expectStatus: (action.expectStatus ?? []).join(", "),
        saveBody: action.saveBody ?? false,
      };
    case "job":
      return { ...step, type: "job", job: action.job, jobParameters: jobParameterRows(action.parameters) };
    case "noop":
      return { ...step, type: "noop", sleepMs: numberText(action.sleepMs ?? 0) };
  }
}

function stepToDraft(step: TStepInput): StepDraft {
  const draft: StepDraft = {
    ...newStep(),
    key: step.key,
    name: step.name,
    runOn: step.runOn ?? "target",
    sudo: step.sudo ?? false,
    timeoutSeconds: numberText(step.timeoutSeconds ?? 3600),
    retryCount: numberText(step.retry?.count ?? 0),
    retryBackoffSeconds: numberText(step.retry?.backoffSeconds ?? 5),
    retryFactor: numberText(step.retry?.factor ?? 2),
    continueOnError: step.continueOnError ?? false,
    whenStatus: step.when?.status ?? "success",
    outputTests: (step.when?.outputs ?? []).map(
      (test): OutputTestDraft => ({
        uid: nextUid("test"),
        step: test.step,
        key: test.key,
        op: test.op,
        value: test.value ?? "",
      }),
    ),
  };
  return actionToDraft(draft, step.action);
}

function thresholdText(threshold: TJobDefinitionInput["failureThreshold"]): string {
  if (threshold?.count !== undefined) return String(threshold.count);
  if (threshold?.percent !== undefined) return `${threshold.percent}%`;
  return "";
}

/** A saved (or imported) definition as the editor's state. */
export function definitionToDraft(name: string, definition: TJobDefinitionInput): JobDraft {
  const targets = definition.targets;
  return {
    name,
    description: definition.description ?? "",
    folder: definition.folder ?? "/",
    tags: (definition.tags ?? []).join(", "),
    parameters: (definition.parameters ?? []).map(parameterToDraft),
    targetsMode: "selector" in targets ? "selector" : "parameter" in targets ? "parameter" : "ids",
    selector: "selector" in targets ? targets.selector : "",
    targetParameter: "parameter" in targets ? targets.parameter : "",
    targetIds: "ids" in targets ? targets.ids.join("\n") : "",
    steps: definition.steps.map(stepToDraft),
    strategy: definition.strategy ?? "target-first",
    fanOut: numberText(definition.fanOut),
    failureThreshold: thresholdText(definition.failureThreshold),
    concurrency: definition.concurrency ?? "allow",
    workerGroup: definition.workerGroup ?? "default",
    exclusive: definition.exclusive ?? false,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Form → definition

/** Reads numbers out of the draft, collecting an error per field that is not one (keyed by its path). */
class NumberReader {
  readonly errors: FieldErrors = {};

  /** Undefined when empty. */
  whole(text: string, path: string): number | undefined {
    const trimmed = text.trim();
    if (!trimmed) return undefined;
    if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
    this.errors[path] ??= "Enter a whole number";
    return undefined;
  }

  decimal(text: string, path: string): number | undefined {
    const trimmed = text.trim();
    if (!trimmed) return undefined;
    const value = Number(trimmed);
    if (Number.isFinite(value)) return value;
    this.errors[path] ??= "Enter a number";
    return undefined;
  }
}

/** Sets `key` only when `value` is defined, so optional fields stay absent rather than `undefined`. */
function optional<TKey extends string, TValue>(
  key: TKey,
  value: TValue | undefined,
): Partial<Record<TKey, TValue>> {
  return value === undefined ? {} : ({ [key]: value } as Record<TKey, TValue>);
}

function text(value: string): string | undefined {
  return value.trim() ? value : undefined;
}

function choiceSourceOf(parameter: ParameterDraft): TChoiceSource | Record<string, unknown> {
  switch (parameter.source) {
    case "static":
      return {
        type: "static",
        values: parameter.choices
          .filter((row) => row.value.trim() || row.label.trim())
          .map((row) => ({ value: row.value.trim(), ...optional("label", text(row.label)?.trim()) })),
      };
    case "targets":
      return { type: "targets", selector: parameter.selector.trim(), value: parameter.selectorValue };
    case "http":
      return { type: "http", url: parameter.url.trim(), ...optional("path", text(parameter.path)?.trim()) };
  }
}

function parameterToDefinition(
  parameter: ParameterDraft,
  at: string,
  numbers: NumberReader,
): Record<string, unknown> {
  const common = {
    name: parameter.name.trim(),
    type: parameter.type,
    ...optional("label", text(parameter.label)?.trim()),
    ...optional("description", text(parameter.description)),
    required: parameter.required,
  };
  switch (parameter.type) {
    case "string":
      return {
        ...common,
        ...optional("default", parameter.defaultValue === "" ? undefined : parameter.defaultValue),
        ...optional("regex", text(parameter.regex)),
        ...optional("minLength", numbers.whole(parameter.minLength, `${at}.minLength`)),
        ...optional("maxLength", numbers.whole(parameter.maxLength, `${at}.maxLength`)),
        ...(parameter.multiline ? { multiline: true } : {}),
      };
    case "secret":
      return { ...common, ...optional("regex", text(parameter.regex)) };
    case "integer":
      return {
        ...common,
        ...optional("default", numbers.whole(parameter.defaultValue, `${at}.default`)),
        ...optional("min", numbers.whole(parameter.min, `${at}.min`)),
        ...optional("max", numbers.whole(parameter.max, `${at}.max`)),
      };
    case "number":
      return {
        ...common,
        ...optional("default", numbers.decimal(parameter.defaultValue, `${at}.default`)),
        ...optional("min", numbers.decimal(parameter.min, `${at}.min`)),
        ...optional("max", numbers.decimal(parameter.max, `${at}.max`)),
      };
    case "boolean":
      return {
        ...common,
        ...optional("default", parameter.defaultValue === "" ? undefined : parameter.defaultValue === "true"),
      };
    case "target-selector":
      return { ...common, ...optional("default", text(parameter.defaultValue)?.trim()) };
    case "choice":
      return {
        ...common,
        choices: choiceSourceOf(parameter),
        ...optional("default", text(parameter.defaultValue)?.trim()),
      };
    case "multi-choice": {
      const defaults = splitLines(parameter.defaultValue);
      return {
        ...common,
        choices: choiceSourceOf(parameter),
        ...optional("default", defaults.length ? defaults : undefined),
        ...optional("min", numbers.whole(parameter.min, `${at}.min`)),
        ...optional("max", numbers.whole(parameter.max, `${at}.max`)),
      };
    }
  }
}

function recordOf(rows: readonly KeyValueDraft[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (const row of rows) if (row.key.trim() || row.value) record[row.key.trim()] = row.value;
  return record;
}

function jobParameterValue(row: JobParameterDraft): string | number | boolean | string[] {
  const value = row.value;
  switch (row.kind) {
    case "number":
      return value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
    case "boolean":
      return value === "true" ? true : value === "false" ? false : value;
    case "list":
      return splitLines(value);
    default:
      return value;
  }
}

function actionOf(step: StepDraft, at: string, numbers: NumberReader): TStepAction | Record<string, unknown> {
  switch (step.type) {
    case "command":
      return { type: "command", command: step.command.trim(), shell: step.shell };
    case "script":
      return { type: "script", script: step.script, shell: step.shell };
    case "http": {
      const statuses = splitWords(step.expectStatus).map((status) =>
        /^\d+$/.test(status) ? Number(status) : Number.NaN,
      );
      if (statuses.some(Number.isNaN))
        numbers.errors[`${at}.action.expectStatus`] ??= "Enter HTTP statuses such as 200, 204";
      return {
        type: "http",
        method: step.method,
        path: step.path.trim() || "/",
        headers: recordOf(step.headers),
        ...optional("body", step.body === "" ? undefined : step.body),
        expectStatus: statuses.filter((status) => !Number.isNaN(status)),
        ...(step.saveBody ? { saveBody: true } : {}),
      };
    }
    case "job": {
      const parameters: Record<string, unknown> = {};
      for (const row of step.jobParameters)
        if (row.key.trim() || row.value) parameters[row.key.trim()] = jobParameterValue(row);
      return { type: "job", job: step.job.trim(), parameters };
    }
    case "noop":
      return { type: "noop", sleepMs: numbers.whole(step.sleepMs, `${at}.action.sleepMs`) ?? 0 };
  }
}

function stepToDefinition(step: StepDraft, at: string, numbers: NumberReader): Record<string, unknown> {
  const retryCount = numbers.whole(step.retryCount, `${at}.retry.count`);
  const backoffSeconds = numbers.decimal(step.retryBackoffSeconds, `${at}.retry.backoffSeconds`);
  const factor = numbers.decimal(step.retryFactor, `${at}.retry.factor`);
  return {
    key: step.key.trim(),
    name: step.name.trim(),
    action: actionOf(step, at, numbers),
    runOn: step.runOn,
    sudo: step.sudo,
    ...optional("timeoutSeconds", numbers.whole(step.timeoutSeconds, `${at}.timeoutSeconds`)),
    retry: {
      ...optional("count", retryCount),
      ...optional("backoffSeconds", backoffSeconds),
      ...optional("factor", factor),
    },
    continueOnError: step.continueOnError,
    when: {
      status: step.whenStatus,
      outputs: step.outputTests.map((test) => ({
        step: test.step.trim(),
        key: test.key.trim(),
        op: test.op,
        ...(operatorTakesValue(test.op) ? { value: test.value } : {}),
      })),
    },
  };
}

/**
 * The editor's state as the definition the API takes (`definition` of jobs.create / jobs.update), plus errors for
 * text that should have been a number. The definition is unchecked: validate it with job-schema.ts.
 */
export function draftToDefinition(draft: JobDraft): {
  name: string;
  definition: TJobDefinitionInput;
  errors: FieldErrors;
} {
  const numbers = new NumberReader();
  const threshold = parseFailureThreshold(draft.failureThreshold);
  if (threshold.error) numbers.errors.failureThreshold = threshold.error;
  const targets =
    draft.targetsMode === "selector"
      ? { selector: draft.selector.trim() }
      : draft.targetsMode === "parameter"
        ? { parameter: draft.targetParameter.trim() }
        : { ids: splitWords(draft.targetIds) };
  const definition = {
    description: draft.description,
    folder: draft.folder.trim() || "/",
    tags: splitWords(draft.tags),
    parameters: draft.parameters.map((parameter, index) =>
      parameterToDefinition(parameter, `parameters.${index}`, numbers),
    ),
    targets,
    steps: draft.steps.map((step, index) => stepToDefinition(step, `steps.${index}`, numbers)),
    strategy: draft.strategy,
    ...optional("fanOut", numbers.whole(draft.fanOut, "fanOut")),
    ...optional("failureThreshold", threshold.value),
    concurrency: draft.concurrency,
    workerGroup: draft.workerGroup.trim() || "default",
    exclusive: draft.exclusive,
  };
  // The shape is the contract's input type except where the form let the user leave something half done; the
  // schema reports those.
  return { name: draft.name.trim(), definition: definition as TJobDefinitionInput, errors: numbers.errors };
}

// ---------------------------------------------------------------------------------------------------------
// Errors next to their fields

/**
 * Every path the editor shows an error at, for this draft. An error deeper than any of them (`tags.2`,
 * `steps.0.action.headers.X-Bad`) is shown at the nearest one above it (see placeErrors).
 */
export function fieldPaths(draft: JobDraft): string[] {
  const paths = [
    "name",
    "description",
    "folder",
    "tags",
    "parameters",
    "targets",
    "targets.selector",
    "targets.parameter",
    "targets.ids",
    "steps",
    "strategy",
    "fanOut",
    "failureThreshold",
    "concurrency",
    "workerGroup",
    "exclusive",
  ];
  draft.parameters.forEach((_, index) => {
    const at = `parameters.${index}`;
    paths.push(
      at,
      ...[
        "name",
        "type",
        "label",
        "description",
        "required",
        "default",
        "regex",
        "minLength",
        "maxLength",
        "min",
        "max",
        "choices",
        "choices.values",
        "choices.selector",
        "choices.value",
        "choices.url",
        "choices.path",
      ].map((field) => `${at}.${field}`),
    );
  });
  draft.steps.forEach((step, index) => {
    const at = `steps.${index}`;
    paths.push(
      at,
      ...[
        "key",
        "name",
        "action",
        "action.command",
        "action.script",
        "action.shell",
        "action.method",
        "action.path",
        "action.headers",
        "action.body",
        "action.expectStatus",
        "action.job",
        "action.parameters",
        "action.sleepMs",
        "runOn",
        "sudo",
        "timeoutSeconds",
        "retry",
        "retry.count",
        "retry.backoffSeconds",
        "retry.factor",
        "continueOnError",
        "when",
        "when.status",
        "when.outputs",
      ].map((field) => `${at}.${field}`),
    );
    step.outputTests.forEach((_, test) => {
      paths.push(...["step", "key", "op", "value"].map((field) => `${at}.when.outputs.${test}.${field}`));
    });
  });
  return paths;
}

/**
 * Errors keyed by the field that shows them: each path goes to the longest shown path that is it or one of its
 * ancestors; what no field shows (an unknown top-level key from YAML) stays under its own path for the summary.
 * When two errors land on one field the first is kept.
 */
export function placeErrors(errors: FieldErrors, shown: readonly string[]): FieldErrors {
  const known = new Set(shown);
  const placed: FieldErrors = {};
  for (const [path, message] of Object.entries(errors)) {
    const parts = path.split(".");
    let key = path;
    for (let length = parts.length; length > 0; length--) {
      const candidate = parts.slice(0, length).join(".");
      if (known.has(candidate)) {
        key = candidate;
        break;
      }
    }
    const extra = key === path ? "" : `${path.slice(key.length + 1)}: `;
    placed[key] ??= `${extra}${message}`;
  }
  return placed;
}

/** The API names the definition's fields under `definition.` (jobs.create / jobs.update); the form does not. */
export function normaliseJobErrors(errors: FieldErrors): FieldErrors {
  const result: FieldErrors = {};
  for (const [path, message] of Object.entries(errors)) {
    const key = path.startsWith("definition.") ? path.slice("definition.".length) : path;
    result[key] ??= message;
  }
  return result;
}

/** Errors no field shows, as sentences for the form's summary. */
export function unplacedJobErrors(errors: FieldErrors, shown: readonly string[]): string[] {
  const known = new Set(shown);
  return Object.entries(errors)
    .filter(([key]) => !known.has(key))
    .map(([key, message]) => (key === "_" ? message : `${key}: ${message}`));
}

export function isShell(value: string): value is TShell {
  return (SHELLS as readonly string[]).includes(value);
}
