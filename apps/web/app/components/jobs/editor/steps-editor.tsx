import { SHELLS } from "../../../lib/execution.presenter.ts";
import { isShell } from "../../../lib/job-draft.presenter.ts";
import {
  CONDITION_STATUS_LABELS,
  CONDITION_STATUSES,
  HTTP_METHODS,
  type JobParameterDraft,
  moveBy,
  newKeyValue,
  newOutputTest,
  newStep,
  OUTPUT_OPERATOR_LABELS,
  OUTPUT_OPERATORS,
  type OutputOperator,
  type OutputTestDraft,
  operatorTakesValue,
  removeAt,
  replaceAt,
  STEP_ACTION_LABELS,
  STEP_ACTION_TYPES,
  type StepDraft,
} from "../../../lib/job-draft.ts";
import { bindFields } from "../../ui/bind-fields.ts";
import { Button } from "../../ui/button.tsx";
import { CheckboxField, FieldError, inputClass, SelectField, TextField } from "../../ui/field.tsx";
import { TextareaField } from "../../ui/textarea-field.tsx";
import { ItemCard, type ItemCardProps, RowsEditor } from "./rows-editor.tsx";

const ACTION_OPTIONS = STEP_ACTION_TYPES.map((type) => ({ value: type, label: STEP_ACTION_LABELS[type] }));
const SHELL_OPTIONS = SHELLS.map((shell) => ({ value: shell, label: shell }));
const METHOD_OPTIONS = HTTP_METHODS.map((method) => ({ value: method, label: method }));
const STATUS_OPTIONS = CONDITION_STATUSES.map((status) => ({
  value: status,
  label: CONDITION_STATUS_LABELS[status],
}));
const RUN_ON_OPTIONS = [
  { value: "target", label: "On each target (SSH / HTTP)" },
  { value: "local", label: "On the worker, once per target" },
];

/**
 * The job's steps, in order: each target goes through them (or, step-first, each step runs on every target before
 * the next). Per step: what it does, where, with sudo, its timeout, retries, whether a failure stops the target,
 * and the condition it runs under (earlier steps' outcome and outputs).
 */
export function StepsEditor({
  steps,
  onChange,
  errors,
  disabled,
}: {
  steps: StepDraft[];
  onChange: (steps: StepDraft[]) => void;
  errors: Record<string, string>;
  disabled: boolean;
}) {
  return (
    <div className="space-y-4">
      {steps.map((step, index) => (
        <StepCard
          key={step.uid}
          index={index}
          count={steps.length}
          step={step}
          earlierKeys={steps.slice(0, index).map((earlier) => earlier.key)}
          errors={errors}
          disabled={disabled}
          onChange={(next) => onChange(replaceAt(steps, index, next))}
          onMove={(offset) => onChange(moveBy(steps, index, offset))}
          onRemove={() => onChange(removeAt(steps, index))}
        />
      ))}
      <FieldError error={errors.steps} />
      {disabled ? null : (
        <Button variant="secondary" onClick={() => onChange([...steps, newStep(steps)])}>
          Add step
        </Button>
      )}
    </div>
  );
}

interface StepProps {
  step: StepDraft;
  at: string;
  set: (patch: Partial<StepDraft>) => void;
  error: (field: string) => string | undefined;
}

function StepCard({
  index,
  count,
  step,
  earlierKeys,
  errors,
  disabled,
  onChange,
  onMove,
  onRemove,
}: ItemCardProps<StepDraft> & { step: StepDraft; earlierKeys: string[] }) {
  const at = `steps.${index}`;
  const label = `Step ${index + 1}`;
  const set = (patch: Partial<StepDraft>) => onChange({ ...step, ...patch });
  const error = (field: string) => errors[`${at}.${field}`];
  const props: StepProps = { step, at, set, error };
  const field = bindFields(step, set, error, at);
  return (
    <ItemCard
      label={label}
      name={step.name}
      index={index}
      count={count}
      canRemove={count > 1}
      disabled={disabled}
      error={errors[at]}
      dataAttributes={{ "data-step-editor": index }}
      onMove={onMove}
      onRemove={onRemove}
    >
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField
          label="Key"
          {...field.text("key")}
          className="font-mono"
          autoComplete="off"
          spellCheck={false}
          hint="Names its outputs for later steps."
        />
        <TextField label="Name" {...field.text("name")} autoComplete="off" />
        <SelectField
          label="Action"
          {...field.text("type", "action.type")}
          options={ACTION_OPTIONS}
          error={error("action")}
        />
      </div>
      <ActionFields {...props} />
      <StepOptions {...props} />
      <ConditionFields {...props} earlierKeys={earlierKeys} />
    </ItemCard>
  );
}

function ActionFields({ step, at, set, error }: StepProps) {
  const field = bindFields(step, set, error, at);
  switch (step.type) {
    case "command":
    case "script": {
      const isScript = step.type === "script";
      return (
        <div className="grid gap-4 sm:grid-cols-[1fr_8rem]">
          <TextareaField
            label={isScript ? "Script" : "Command"}
            name={`${at}.action.${isScript ? "script" : "command"}`}
            rows={isScript ? 8 : 2}
            value={isScript ? step.script : step.command}
            onChange={(event) =>
              set(isScript ? { script: event.target.value } : { command: event.target.value })
            }
            className="font-mono"
            spellCheck={false}
            hint={
              isScript
                ? "Given to the shell on its standard input, as typed."
                : "Parameters arrive as environment variables ($NAME); print ::output key=value to pass a value on."
            }
            error={error(isScript ? "action.script" : "action.command")}
          />
          <SelectField
            label="Shell"
            name={`${at}.action.shell`}
            value={step.shell}
            options={SHELL_OPTIONS}
            onChange={(event) => {
              const shell = event.target.value;
              if (isShell(shell)) set({ shell });
            }}
            error={error("action.shell")}
          />
        </div>
      );
    }
    case "http":
      return (
        <div className="space-y-4">
          <div className="grid gap-4 sm:grid-cols-[8rem_1fr_12rem]">
            <SelectField label="Method" {...field.text("method", "action.method")} options={METHOD_OPTIONS} />
            <TextField
              label="Path"
              {...field.text("path", "action.path")}
              className="font-mono"
              autoComplete="off"
              hint="After the target's scheme, address and port."
            />
            <TextField
              label="Expected statuses"
              {...field.text("expectStatus", "action.expectStatus")}
              placeholder="any 2xx"
              autoComplete="off"
            />
          </div>
          <RowsEditor
            legend="Headers"
            noun="Header"
            labels={{ key: "name", value: "value" }}
            placeholders={{ key: "Content-Type", value: "application/json" }}
            rows={step.headers}
            onChange={(headers) => set({ headers })}
            newRow={() => newKeyValue()}
            error={error("action.headers")}
          />
          <TextareaField
            label="Body"
            {...field.text("body", "action.body")}
            rows={3}
            className="font-mono"
            spellCheck={false}
          />
          <CheckboxField
            label="Save the response body as a file instead of logging it"
            {...field.checkbox("saveBody", "action.saveBody")}
          />
        </div>
      );
    case "job":
      return (
        <div className="space-y-4">
          <TextField
            label="Job"
            {...field.text("job", "action.job")}
            placeholder="the job's name or id"
            autoComplete="off"
            hint="Runs on the same target as this step; the step succeeds when that run does."
          />
          <RowsEditor<JobParameterDraft>
            legend="Its parameters"
            noun="Parameter"
            labels={{ key: "name", value: "value" }}
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a `${NAME}` reference, not a template
            placeholders={{ key: "NAME", value: "value or ${NAME}" }}
            rows={step.jobParameters}
            onChange={(jobParameters) => set({ jobParameters })}
            newRow={() => ({ ...newKeyValue(), kind: "string" })}
            hint="Values may use ${NAME} for this run's parameters and earlier steps' outputs. A list: one value per line."
            error={error("action.parameters")}
            multilineValues
          />
        </div>
      );
    case "noop":
      return (
        <TextField
          label="Wait (ms)"
          {...field.text("sleepMs", "action.sleepMs")}
          inputMode="numeric"
          autoComplete="off"
        />
      );
  }
}

function StepOptions({ step, at, set, error }: StepProps) {
  const field = bindFields(step, set, error, at);
  return (
    <div className="space-y-3">
      <div className="grid gap-4 sm:grid-cols-4">
        <SelectField
          label="Runs"
          name={`${at}.runOn`}
          value={step.runOn}
          options={RUN_ON_OPTIONS}
          onChange={(event) => set({ runOn: event.target.value === "local" ? "local" : "target" })}
          error={error("runOn")}
        />
        <TextField
          label="Timeout (s)"
          {...field.text("timeoutSeconds")}
          inputMode="numeric"
          autoComplete="off"
        />
        <TextField
          label="Retries"
          {...field.text("retryCount", "retry.count")}
          inputMode="numeric"
          autoComplete="off"
          error={error("retry.count") ?? error("retry")}
        />
        <TextField
          label="Backoff (s)"
          {...field.text("retryBackoffSeconds", "retry.backoffSeconds")}
          inputMode="decimal"
          autoComplete="off"
          hint={`×${step.retryFactor || "2"} per retry`}
          error={error("retry.backoffSeconds") ?? error("retry.factor")}
        />
      </div>
      <div className="flex flex-wrap gap-x-6 gap-y-2">
        <CheckboxField label="Use sudo" {...field.checkbox("sudo")} />
        <CheckboxField label="Continue on error" {...field.checkbox("continueOnError")} />
      </div>
    </div>
  );
}

function ConditionFields({ step, at, set, error, earlierKeys }: StepProps & { earlierKeys: string[] }) {
  const field = bindFields(step, set, error, at);
  const updateTest = (index: number, patch: Partial<OutputTestDraft>) =>
    set({ outputTests: replaceAt(step.outputTests, index, { ...step.outputTests[index]!, ...patch }) });
  const stepOptions = [
    { value: "", label: "Choose a step" },
    ...earlierKeys.filter(Boolean).map((key) => ({ value: key, label: key })),
  ];
  return (
    <div className="space-y-3 rounded-md bg-slate-50 p-3 dark:bg-slate-800/50">
      <div className="grid gap-4 sm:grid-cols-[1fr_auto] sm:items-end">
        <SelectField
          label="Runs when"
          {...field.text("whenStatus", "when.status")}
          options={STATUS_OPTIONS}
          error={error("when.status") ?? error("when")}
        />
        <Button
          variant="ghost"
          size="sm"
          disabled={!earlierKeys.length}
          title={earlierKeys.length ? undefined : "Only earlier steps' outputs can be tested"}
          onClick={() => set({ outputTests: [...step.outputTests, newOutputTest(earlierKeys.at(-1) ?? "")] })}
        >
          + Add output test
        </Button>
      </div>
      {step.outputTests.length ? (
        <ul className="space-y-2" aria-label="Output tests">
          {step.outputTests.map((test, index) => {
            const testAt = `${at}.when.outputs.${index}`;
            const testError =
              error(`when.outputs.${index}.step`) ??
              error(`when.outputs.${index}.key`) ??
              error(`when.outputs.${index}.op`) ??
              error(`when.outputs.${index}.value`);
            const name = `Output test ${index + 1}`;
            return (
              <li key={test.uid} className="space-y-1">
                <div className="grid items-center gap-2 sm:grid-cols-[auto_9rem_1fr_11rem_1fr_auto]">
                  <span className="text-xs text-slate-500">and</span>
                  <select
                    aria-label={`${name} step`}
                    name={`${testAt}.step`}
                    value={test.step}
                    onChange={(event) => updateTest(index, { step: event.target.value })}
                    aria-invalid={testError ? true : undefined}
                    className={`${inputClass} font-mono`}
                  >
                    {test.step && !earlierKeys.includes(test.step) ? (
                      <option value={test.step}>{test.step}</option>
                    ) : null}
                    {stepOptions.map((option) => (
                      <option key={option.value} value={option.value}>
                        {option.label}
                      </option>
                    ))}
                  </select>
                  <input
                    aria-label={`${name} output key`}
                    name={`${testAt}.key`}
                    value={test.key}
                    onChange={(event) => updateTest(index, { key: event.target.value })}
                    placeholder="output key"
                    autoComplete="off"
                    spellCheck={false}
                    className={`${inputClass} font-mono`}
                  />
                  <select
                    aria-label={`${name} comparison`}
                    name={`${testAt}.op`}
                    value={test.op}
                    onChange={(event) => updateTest(index, { op: event.target.value as OutputOperator })}
                    className={inputClass}
                  >
                    {OUTPUT_OPERATORS.map((op) => (
                      <option key={op} value={op}>
                        {OUTPUT_OPERATOR_LABELS[op]}
                      </option>
                    ))}
                  </select>
                  {operatorTakesValue(test.op) ? (
                    <input
                      aria-label={`${name} value`}
                      name={`${testAt}.value`}
                      value={test.value}
                      onChange={(event) => updateTest(index, { value: event.target.value })}
                      placeholder="value"
                      autoComplete="off"
                      spellCheck={false}
                      className={`${inputClass} font-mono`}
                    />
                  ) : (
                    <span />
                  )}
                  <Button
                    variant="ghost"
                    size="sm"
                    aria-label={`Remove ${name.toLowerCase()}`}
                    onClick={() => set({ outputTests: removeAt(step.outputTests, index) })}
                  >
                    Remove
                  </Button>
                </div>
                <FieldError error={testError} />
              </li>
            );
          })}
        </ul>
      ) : null}
      <FieldError error={error("when.outputs")} />
    </div>
  );
}
