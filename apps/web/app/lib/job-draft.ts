import type { TStepAction, TStepCondition } from "@opsc/contracts/execution/plan";
import type { TConcurrencyPolicy } from "@opsc/contracts/jobs/definition";
import type { TChoiceSource, TParameter } from "@opsc/contracts/jobs/parameters";
import type { TShell } from "./execution.presenter.ts";

// The job editor's state: the definition as the form holds it. Numbers stay text while typed (a half-typed "1e"
// must not vanish), lists are rows with stable ids (so reordering keeps focus and what was typed), and every
// type-specific field exists on every row (switching a parameter's type and back keeps its options). Converting
// to and from the contract's definition is in job-draft.presenter.ts. No runtime values from the contracts here:
// the lists below mirror theirs (PARAMETER_TYPES, the step actions, the condition operators).

export type ParameterType = TParameter["type"];
export type ChoiceSourceType = TChoiceSource["type"];
export type StepActionType = TStepAction["type"];
export type ConditionStatus = TStepCondition["status"];
export type OutputOperator = TStepCondition["outputs"][number]["op"];
export type TargetsMode = "selector" | "parameter" | "ids";
export type HttpMethod = Extract<TStepAction, { type: "http" }>["method"];
export type ChoiceValueField = Extract<TChoiceSource, { type: "targets" }>["value"];
/** What a "run another job" step's parameter value was, so a number stays a number through the form. */
export type ValueKind = "string" | "number" | "boolean" | "list";

export const PARAMETER_TYPES = [
  "string",
  "integer",
  "number",
  "boolean",
  "choice",
  "multi-choice",
  "secret",
  "target-selector",
] as const satisfies readonly ParameterType[];

export const PARAMETER_TYPE_LABELS: Record<ParameterType, string> = {
  string: "Text",
  integer: "Whole number",
  number: "Number",
  boolean: "Yes / no",
  choice: "Choice",
  "multi-choice": "Several choices",
  secret: "Secret",
  "target-selector": "Target selector",
};

export const STEP_ACTION_TYPES = [
  "command",
  "script",
  "http",
  "job",
  "noop",
] as const satisfies readonly StepActionType[];

export const STEP_ACTION_LABELS: Record<StepActionType, string> = {
  command: "Command",
  script: "Script",
  http: "HTTP request",
  job: "Run another job",
  noop: "Wait (no-op)",
};

export const HTTP_METHODS = [
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
] as const satisfies readonly HttpMethod[];
export const CONDITION_STATUSES = [
  "success",
  "failure",
  "always",
] as const satisfies readonly ConditionStatus[];
export const CONDITION_STATUS_LABELS: Record<ConditionStatus, string> = {
  success: "Only if no earlier step failed",
  failure: "Only if an earlier step failed",
  always: "Always",
};
export const OUTPUT_OPERATORS = [
  "equals",
  "not-equals",
  "matches",
  "exists",
  "missing",
] as const satisfies readonly OutputOperator[];
export const OUTPUT_OPERATOR_LABELS: Record<OutputOperator, string> = {
  equals: "equals",
  "not-equals": "does not equal",
  matches: "matches (regex)",
  exists: "exists",
  missing: "is missing",
};
/** Operators that compare with a value; `exists` and `missing` take none. */
export function operatorTakesValue(op: OutputOperator): boolean {
  return op === "equals" || op === "not-equals" || op === "matches";
}
export const CONCURRENCY_POLICIES = [
  "allow",
  "queue",
  "skip",
] as const satisfies readonly TConcurrencyPolicy[];
export const CONCURRENCY_LABELS: Record<TConcurrencyPolicy, string> = {
  allow: "Allow: runs side by side",
  queue: "Queue: wait for the active run",
  skip: "Skip: do not start",
};

export interface ChoiceRow {
  uid: string;
  value: string;
  label: string;
}

export interface ParameterDraft {
  uid: string;
  name: string;
  type: ParameterType;
  label: string;
  description: string;
  required: boolean;
  /** Text for every type; `true`/`false`/"" for yes-no; one value per line for several choices. */
  defaultValue: string;
  regex: string;
  minLength: string;
  maxLength: string;
  multiline: boolean;
  min: string;
  max: string;
  source: ChoiceSourceType;
  choices: ChoiceRow[];
  selector: string;
  selectorValue: ChoiceValueField;
  url: string;
  path: string;
}

export interface KeyValueDraft {
  uid: string;
  key: string;
  value: string;
}

export interface JobParameterDraft extends KeyValueDraft {
  kind: ValueKind;
}

export interface OutputTestDraft {
  uid: string;
  step: string;
  key: string;
  op: OutputOperator;
  value: string;
}

export interface StepDraft {
  uid: string;
  key: string;
  name: string;
  type: StepActionType;
  command: string;
  script: string;
  shell: TShell;
  method: HttpMethod;
  path: string;
  headers: KeyValueDraft[];
  body: string;
  /** Statuses separated by commas or spaces. */
  expectStatus: string;
  saveBody: boolean;
  job: string;
  jobParameters: JobParameterDraft[];
  sleepMs: string;
  runOn: "target" | "local";
  sudo: boolean;
  timeoutSeconds: string;
  retryCount: string;
  retryBackoffSeconds: string;
  retryFactor: string;
  continueOnError: boolean;
  whenStatus: ConditionStatus;
  outputTests: OutputTestDraft[];
}

export interface JobDraft {
  name: string;
  description: string;
  folder: string;
  /** Separated by commas or spaces. */
  tags: string;
  parameters: ParameterDraft[];
  targetsMode: TargetsMode;
  selector: string;
  targetParameter: string;
  /** One id per line (or separated by commas). */
  targetIds: string;
  steps: StepDraft[];
  strategy: "target-first" | "step-first";
  fanOut: string;
  /** `3` (tasks) or `10%`; empty for none. */
  failureThreshold: string;
  concurrency: TConcurrencyPolicy;
  workerGroup: string;
  exclusive: boolean;
}

let uidCounter = 0;
/** A row id, unique within the page; never sent anywhere. */
export function nextUid(prefix = "row"): string {
  uidCounter += 1;
  return `${prefix}-${uidCounter}`;
}

export function newChoiceRow(value = "", label = ""): ChoiceRow {
  return { uid: nextUid("choice"), value, label };
}

export function newKeyValue(key = "", value = ""): KeyValueDraft {
  return { uid: nextUid("kv"), key, value };
}

export function newOutputTest(step = ""): OutputTestDraft {
  return { uid: nextUid("test"), step, key: "", op: "equals", value: "" };
}

export function newParameter(name = ""): ParameterDraft {
  return {
    uid: nextUid("parameter"),
    name,
    type: "string",
    label: "",
    description: "",
    required: false,
    defaultValue: "",
    regex: "",
    minLength: "",
    maxLength: "",
    multiline: false,
    min: "",
    max: "",
    source: "static",
    choices: [newChoiceRow()],
    selector: "",
    selectorValue: "name",
    url: "",
    path: "",
  };
}

/** A new step, with the schema's defaults filled in so they are visible (and a key that is not taken yet). */
export function newStep(existing: readonly { key: string }[] = []): StepDraft {
  let index = existing.length + 1;
  while (existing.some((step) => step.key === `step_${index}`)) index += 1;
  return {
    uid: nextUid("step"),
    key: `step_${index}`,
    name: `Step ${index}`,
    type: "command",
    command: "",
    script: "",
    shell: "sh",
    method: "GET",
    path: "/",
    headers: [],
    body: "",
    expectStatus: "",
    saveBody: false,
    job: "",
    jobParameters: [],
    sleepMs: "0",
    runOn: "target",
    sudo: false,
    timeoutSeconds: "3600",
    retryCount: "0",
    retryBackoffSeconds: "5",
    retryFactor: "2",
    continueOnError: false,
    whenStatus: "success",
    outputTests: [],
  };
}

export function emptyDraft(): JobDraft {
  return {
    name: "",
    description: "",
    folder: "/",
    tags: "",
    parameters: [],
    targetsMode: "selector",
    selector: "",
    targetParameter: "",
    targetIds: "",
    steps: [newStep()],
    strategy: "target-first",
    fanOut: "",
    failureThreshold: "",
    concurrency: "allow",
    workerGroup: "default",
    exclusive: false,
  };
}

// ---------------------------------------------------------------------------------------------------------
// List edits (pure, for the editor's state updates)

export function replaceAt<T>(items: readonly T[], index: number, item: T): T[] {
  return items.map((current, at) => (at === index ? item : current));
}

export function removeAt<T>(items: readonly T[], index: number): T[] {
  return items.filter((_, at) => at !== index);
}

/** Moves the item at `index` by `offset` (-1: up, +1: down); out of range leaves the list as it is. */
export function moveBy<T>(items: readonly T[], index: number, offset: number): T[] {
  const target = index + offset;
  if (index < 0 || index >= items.length || target < 0 || target >= items.length) return [...items];
  const next = [...items];
  const [moved] = next.splice(index, 1);
  next.splice(target, 0, moved as T);
  return next;
}
