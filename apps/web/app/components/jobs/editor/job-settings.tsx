import {
  CONCURRENCY_LABELS,
  CONCURRENCY_POLICIES,
  type JobDraft,
  type TargetsMode,
} from "../../../lib/job-draft.ts";
import { bindFields } from "../../ui/bind-fields.ts";
import { CheckboxField, SelectField, TextField } from "../../ui/field.tsx";
import { SegmentedField } from "../../ui/segmented-field.tsx";
import { TextareaField } from "../../ui/textarea-field.tsx";

type Set = (patch: Partial<JobDraft>) => void;

const TARGET_MODES = [
  { value: "selector", label: "Selector" },
  { value: "parameter", label: "From a parameter" },
  { value: "ids", label: "Target ids" },
] as const satisfies readonly { value: TargetsMode; label: string }[];
const STRATEGIES = [
  { value: "target-first", label: "Target first: each target goes through all steps" },
  { value: "step-first", label: "Step first: a step runs everywhere before the next" },
];
const CONCURRENCY_OPTIONS = CONCURRENCY_POLICIES.map((policy) => ({
  value: policy,
  label: CONCURRENCY_LABELS[policy],
}));

/** Name, description, folder and tags. */
export function GeneralFields({
  draft,
  set,
  errors,
}: {
  draft: JobDraft;
  set: Set;
  errors: Record<string, string>;
}) {
  const field = bindFields(draft, set, (path) => errors[path]);
  return (
    <div className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField label="Name" {...field.text("name")} placeholder="deploy-web" autoComplete="off" />
        <TextField
          label="Folder"
          {...field.text("folder")}
          placeholder="/web/deploys"
          className="font-mono"
          autoComplete="off"
        />
        <TextField
          label="Tags"
          {...field.text("tags")}
          placeholder="deploy, nightly"
          autoComplete="off"
          hint="Separated by commas or spaces."
        />
      </div>
      <TextareaField label="Description" {...field.text("description")} rows={2} />
    </div>
  );
}

/** Which targets the job runs on: a selector, a target-selector parameter's value, or fixed target ids. */
export function TargetsFields({
  draft,
  set,
  errors,
}: {
  draft: JobDraft;
  set: Set;
  errors: Record<string, string>;
}) {
  const field = bindFields(draft, set, (path) => errors[path]);
  const selectorParameters = draft.parameters
    .filter((parameter) => parameter.type === "target-selector" && parameter.name.trim())
    .map((parameter) => ({ value: parameter.name.trim(), label: parameter.name.trim() }));
  const modeError =
    draft.targetsMode === "selector"
      ? (errors["targets.selector"] ?? errors.targets)
      : draft.targetsMode === "parameter"
        ? (errors["targets.parameter"] ?? errors.targets)
        : (errors["targets.ids"] ?? errors.targets);
  return (
    <div className="space-y-4">
      <SegmentedField
        label="Targets come from"
        name="targetsMode"
        value={draft.targetsMode}
        options={TARGET_MODES}
        onChange={(targetsMode) => set({ targetsMode })}
      />
      {draft.targetsMode === "selector" ? (
        <TextField
          label="Selector"
          {...field.text("selector", "targets.selector")}
          placeholder="env=prod role in (web,api)"
          className="font-mono"
          autoComplete="off"
          spellCheck={false}
          error={modeError}
        />
      ) : draft.targetsMode === "parameter" ? (
        <SelectField
          label="Target-selector parameter"
          {...field.text("targetParameter", "targets.parameter")}
          options={[
            {
              value: "",
              label: selectorParameters.length ? "Choose…" : "Add a target-selector parameter first",
            },
            ...selectorParameters,
            ...(draft.targetParameter &&
            !selectorParameters.some((option) => option.value === draft.targetParameter)
              ? [{ value: draft.targetParameter, label: draft.targetParameter }]
              : []),
          ]}
          hint="The run form asks for the selector."
          error={modeError}
        />
      ) : (
        <TextareaField
          label="Target ids"
          {...field.text("targetIds", "targets.ids")}
          rows={3}
          className="font-mono"
          spellCheck={false}
          hint="One id per line."
          error={modeError}
        />
      )}
    </div>
  );
}

/** How a run goes: strategy, fan-out, failure threshold, concurrency with other runs, worker group, exclusivity. */
export function ExecutionFields({
  draft,
  set,
  errors,
}: {
  draft: JobDraft;
  set: Set;
  errors: Record<string, string>;
}) {
  const field = bindFields(draft, set, (path) => errors[path]);
  return (
    <div className="space-y-4">
      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField
          label="Strategy"
          name="strategy"
          value={draft.strategy}
          options={STRATEGIES}
          onChange={(event) =>
            set({ strategy: event.target.value === "step-first" ? "step-first" : "target-first" })
          }
          error={errors.strategy}
        />
        <SelectField
          label="When a run of this job is active"
          {...field.text("concurrency")}
          options={CONCURRENCY_OPTIONS}
        />
      </div>
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField
          label="Fan-out"
          {...field.text("fanOut")}
          inputMode="numeric"
          placeholder="all at once"
          autoComplete="off"
          hint={
            draft.strategy === "step-first"
              ? "Tasks of a step at once, at most."
              : "Targets at once, at most."
          }
        />
        <TextField
          label="Failure threshold"
          {...field.text("failureThreshold")}
          placeholder="none"
          autoComplete="off"
          hint="Stop starting targets after this many failures (3) or this share (10%)."
        />
        <TextField
          label="Worker group"
          {...field.text("workerGroup")}
          className="font-mono"
          autoComplete="off"
        />
      </div>
      <CheckboxField
        label="Exclusive: at most one task per target at a time, across all runs"
        {...field.checkbox("exclusive")}
      />
    </div>
  );
}
