import {
  type ChoiceRow,
  moveBy,
  newChoiceRow,
  newParameter,
  PARAMETER_TYPE_LABELS,
  PARAMETER_TYPES,
  type ParameterDraft,
  type ParameterType,
  removeAt,
  replaceAt,
} from "../../../lib/job-draft.ts";
import { referencedNames } from "../../../lib/job-schema.ts";
import { bindFields } from "../../ui/bind-fields.ts";
import { Button } from "../../ui/button.tsx";
import { CheckboxField, FieldError, SelectField, TextField } from "../../ui/field.tsx";
import { SegmentedField } from "../../ui/segmented-field.tsx";
import { TextareaField } from "../../ui/textarea-field.tsx";
import { ItemCard, type ItemCardProps, RowsEditor } from "./rows-editor.tsx";

const TYPE_OPTIONS = PARAMETER_TYPES.map((type) => ({ value: type, label: PARAMETER_TYPE_LABELS[type] }));
const SOURCE_OPTIONS = [
  { value: "static", label: "Fixed list" },
  { value: "targets", label: "Targets" },
  { value: "http", label: "HTTP" },
] as const;
const TARGET_VALUE_OPTIONS = [
  { value: "name", label: "Name" },
  { value: "id", label: "Id" },
  { value: "address", label: "Address" },
];
const BOOLEAN_DEFAULTS = [
  { value: "", label: "None" },
  { value: "true", label: "Yes" },
  { value: "false", label: "No" },
];

const isChoice = (type: ParameterType) => type === "choice" || type === "multi-choice";

/**
 * The job's parameters: each with its name, type and the options of that type (required, default, regex,
 * bounds, where a choice's options come from). `${NAME}` in a choice's selector or URL makes it depend on NAME.
 */
export function ParametersEditor({
  parameters,
  onChange,
  errors,
  disabled,
}: {
  parameters: ParameterDraft[];
  onChange: (parameters: ParameterDraft[]) => void;
  errors: Record<string, string>;
  disabled: boolean;
}) {
  return (
    <div className="space-y-4">
      {parameters.length ? null : (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          No parameters: the job runs the same way every time.
        </p>
      )}
      {parameters.map((parameter, index) => (
        <ParameterCard
          key={parameter.uid}
          index={index}
          count={parameters.length}
          parameter={parameter}
          names={parameters.map((candidate) => candidate.name)}
          errors={errors}
          disabled={disabled}
          onChange={(next) => onChange(replaceAt(parameters, index, next))}
          onMove={(offset) => onChange(moveBy(parameters, index, offset))}
          onRemove={() => onChange(removeAt(parameters, index))}
        />
      ))}
      <FieldError error={errors.parameters} />
      {disabled ? null : (
        <Button variant="secondary" onClick={() => onChange([...parameters, newParameter()])}>
          Add parameter
        </Button>
      )}
    </div>
  );
}

function ParameterCard({
  index,
  count,
  parameter,
  names,
  errors,
  disabled,
  onChange,
  onMove,
  onRemove,
}: ItemCardProps<ParameterDraft> & { parameter: ParameterDraft; names: string[] }) {
  const at = `parameters.${index}`;
  const label = `Parameter ${index + 1}`;
  const set = (patch: Partial<ParameterDraft>) => onChange({ ...parameter, ...patch });
  const error = (field: string) => errors[`${at}.${field}`];
  const field = bindFields(parameter, set, error, at);
  const type = parameter.type;
  return (
    <ItemCard
      label={label}
      name={parameter.name}
      isNameCode
      index={index}
      count={count}
      disabled={disabled}
      error={errors[at]}
      dataAttributes={{ "data-parameter-editor": index }}
      onMove={onMove}
      onRemove={onRemove}
    >
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField
          label="Name"
          {...field.text("name")}
          placeholder="ENVIRONMENT"
          className="font-mono"
          autoComplete="off"
          spellCheck={false}
          hint="Reaches the steps as this environment variable."
        />
        <SelectField
          label="Type"
          name={`${at}.type`}
          value={type}
          options={TYPE_OPTIONS}
          onChange={(event) => set({ type: event.target.value as ParameterType })}
          error={error("type")}
        />
        <TextField
          label="Label"
          {...field.text("label")}
          placeholder="shown on the run form"
          autoComplete="off"
        />
      </div>
      <TextField label="Description" {...field.text("description")} autoComplete="off" />
      <CheckboxField label="Required" {...field.checkbox("required")} />
      <TypeOptions parameter={parameter} at={at} set={set} error={error} />
      {isChoice(type) ? (
        <ChoiceSourceFields parameter={parameter} at={at} set={set} error={error} names={names} />
      ) : null}
    </ItemCard>
  );
}

interface OptionProps {
  parameter: ParameterDraft;
  at: string;
  set: (patch: Partial<ParameterDraft>) => void;
  error: (field: string) => string | undefined;
}

function TypeOptions({ parameter, at, set, error }: OptionProps) {
  const field = bindFields(parameter, set, error, at);
  const type = parameter.type;
  const defaultField =
    type === "boolean" ? (
      <SelectField label="Default" {...field.text("defaultValue", "default")} options={BOOLEAN_DEFAULTS} />
    ) : type === "multi-choice" ? (
      <TextareaField
        label="Default"
        {...field.text("defaultValue", "default")}
        rows={2}
        hint="One value per line."
      />
    ) : type === "secret" ? null : (
      <TextField
        label="Default"
        {...field.text("defaultValue", "default")}
        inputMode={type === "integer" || type === "number" ? "decimal" : undefined}
        autoComplete="off"
        spellCheck={false}
      />
    );
  const bound = (field: "min" | "max", labelText: string) => (
    <TextField
      label={labelText}
      name={`${at}.${field}`}
      value={parameter[field]}
      onChange={(event) => set({ [field]: event.target.value })}
      inputMode="decimal"
      autoComplete="off"
      error={error(field)}
    />
  );
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      {defaultField}
      {type === "string" || type === "secret" ? (
        <TextField
          label="Regex"
          {...field.text("regex")}
          placeholder="v\d+\.\d+"
          className="font-mono"
          autoComplete="off"
          spellCheck={false}
          hint="The whole value must match."
        />
      ) : null}
      {type === "string" ? (
        <>
          <TextField label="Min length" {...field.text("minLength")} inputMode="numeric" autoComplete="off" />
          <TextField label="Max length" {...field.text("maxLength")} inputMode="numeric" autoComplete="off" />
          <CheckboxField label="Several lines" {...field.checkbox("multiline")} />
        </>
      ) : null}
      {type === "integer" || type === "number" ? (
        <>
          {bound("min", "Minimum")}
          {bound("max", "Maximum")}
        </>
      ) : null}
      {type === "multi-choice" ? (
        <>
          {bound("min", "At least (choices)")}
          {bound("max", "At most (choices)")}
        </>
      ) : null}
    </div>
  );
}

function ChoiceSourceFields({ parameter, at, set, error, names }: OptionProps & { names: string[] }) {
  const field = bindFields(parameter, set, error, at);
  const dependsOn = referencedNames(
    parameter.source === "targets" ? parameter.selector : parameter.source === "http" ? parameter.url : "",
  );
  const unknown = dependsOn.filter((name) => !names.includes(name));
  const sourceError = error("choices") ?? error("choices.values");
  return (
    <div className="space-y-3 rounded-md bg-slate-50 p-3 dark:bg-slate-800/50">
      <SegmentedField
        label="Choices from"
        name={`${at}.source`}
        value={parameter.source}
        options={SOURCE_OPTIONS}
        onChange={(source) => set({ source })}
      />
      {parameter.source === "static" ? (
        <RowsEditor
          legend="Choices"
          noun="Choice"
          labels={{ key: "value", value: "label" }}
          placeholders={{ key: "value", value: "label (optional)" }}
          rows={parameter.choices.map((row) => ({ uid: row.uid, key: row.value, value: row.label }))}
          onChange={(rows) =>
            set({
              choices: rows.map((row): ChoiceRow => ({ uid: row.uid, value: row.key, label: row.value })),
            })
          }
          newRow={() => ({ uid: newChoiceRow().uid, key: "", value: "" })}
          error={sourceError}
        />
      ) : parameter.source === "targets" ? (
        <div className="grid gap-4 sm:grid-cols-[1fr_10rem]">
          <TextField
            label="Target selector"
            {...field.text("selector", "choices.selector")}
            placeholder="env=${ENVIRONMENT} role=db"
            className="font-mono"
            autoComplete="off"
            spellCheck={false}
            error={error("choices.selector") ?? sourceError}
          />
          <SelectField
            label="Offer each target's"
            name={`${at}.choices.value`}
            value={parameter.selectorValue}
            options={TARGET_VALUE_OPTIONS}
            onChange={(event) =>
              set({ selectorValue: event.target.value as ParameterDraft["selectorValue"] })
            }
            error={error("choices.value")}
          />
        </div>
      ) : (
        <div className="grid gap-4 sm:grid-cols-[1fr_12rem]">
          <TextField
            label="URL"
            {...field.text("url", "choices.url")}
            placeholder="https://inventory.example.com/regions?env=${ENVIRONMENT}"
            className="font-mono"
            autoComplete="off"
            spellCheck={false}
            hint="Answers JSON: a list of strings, or of { value, label }."
            error={error("choices.url") ?? sourceError}
          />
          <TextField
            label="Path in the answer"
            {...field.text("path", "choices.path")}
            placeholder="data.items"
            className="font-mono"
            autoComplete="off"
          />
        </div>
      )}
      {dependsOn.length ? (
        <p className="text-xs text-slate-600 dark:text-slate-300" data-depends-on={dependsOn.join(",")}>
          Depends on {dependsOn.map((name) => `\${${name}}`).join(", ")}: the choices are fetched again when{" "}
          {dependsOn.length === 1 ? "it changes" : "one of them changes"} on the run form.
          {unknown.length ? ` ${unknown.join(", ")} is not a parameter of this job.` : ""}
        </p>
      ) : null}
    </div>
  );
}
