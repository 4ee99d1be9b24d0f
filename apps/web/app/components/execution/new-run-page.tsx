import { useId, useState } from "react";
import { Form, Link, useActionData, useNavigation } from "react-router";
import { fieldErrorsOf } from "../../lib/action-result.ts";
import { useProfile } from "../../lib/app-data.ts";
import type { ExecutionActionResult, NewRunDefaults } from "../../lib/execution.client.ts";
import { RUN_FIELD_NAMES, SHELLS } from "../../lib/execution.presenter.ts";
import { hasRole } from "../../lib/roles.ts";
import { unplacedErrors } from "../../lib/targets.presenter.ts";
import { PageHeader } from "../layout/app-shell.tsx";
import { SelectorStatus, useSelectorPreview } from "../targets/selector-box.tsx";
import { Alert } from "../ui/alert.tsx";
import { Button, buttonClass } from "../ui/button.tsx";
import { Card } from "../ui/card.tsx";
import { CheckboxField, inputClass, SelectField, TextField } from "../ui/field.tsx";
import { KeyValueEditor } from "../ui/key-value-editor.tsx";
import { SegmentedField } from "../ui/segmented-field.tsx";
import { TextareaField } from "../ui/textarea-field.tsx";

type Mode = "command" | "script";
const MODES = [
  { value: "command", label: "Command" },
  { value: "script", label: "Script" },
] as const satisfies readonly { value: Mode; label: string }[];
const SHELL_OPTIONS = SHELLS.map((shell) => ({ value: shell, label: shell }));

/**
 * "Run command": which targets (a selector, previewed live), what to run (a command line or a script, and the
 * shell), its environment and the run's options. Starting lands on the new run's page; the API's objections show at
 * their fields. Viewers may look at the form but not submit it.
 */
export function NewRunPage({ defaults }: { defaults: NewRunDefaults }) {
  const { effectiveRole } = useProfile();
  const canRun = hasRole(effectiveRole, "operator");
  const result = useActionData<ExecutionActionResult>();
  const navigation = useNavigation();
  const submitting = navigation.state !== "idle" && navigation.formMethod === "POST";
  const errors = fieldErrorsOf(result);
  const unplaced = unplacedErrors(errors, RUN_FIELD_NAMES);
  const [mode, setMode] = useState<Mode>("command");
  // One key per visit of the form: a double submit (or a retried request) starts one run, not two.
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  return (
    <>
      <p className="mb-2 text-sm">
        <Link to="/runs" className="text-indigo-700 hover:underline dark:text-indigo-300">
          ← Runs
        </Link>
      </p>
      <PageHeader
        title="Run command"
        description="Run a command or a script on every target a selector matches."
      />
      <Form method="post" noValidate className="space-y-6" aria-label="Run command">
        <input type="hidden" name="intent" value="start" />
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
        {!canRun ? (
          <Alert tone="info">You need the operator role to start runs; you can look at the form.</Alert>
        ) : null}
        {result && !result.ok && (unplaced.length || !Object.keys(errors).length) ? (
          <Alert tone="error">{unplaced.length ? unplaced.join(" ") : result.message}</Alert>
        ) : null}

        <Card id="targets" title="Targets">
          <SelectorField initial={defaults.selector} error={errors.selector} />
        </Card>

        <Card id="command" title="What to run">
          <div className="space-y-4">
            <div className="flex flex-wrap items-end gap-4">
              <SegmentedField label="Type" name="mode" value={mode} options={MODES} onChange={setMode} />
              <div className="w-36">
                <SelectField
                  label="Shell"
                  name="shell"
                  defaultValue="sh"
                  options={SHELL_OPTIONS}
                  error={errors.shell}
                />
              </div>
            </div>
            <TextareaField
              label={mode === "command" ? "Command" : "Script"}
              name="command"
              rows={mode === "command" ? 3 : 12}
              spellCheck={false}
              autoComplete="off"
              className="font-mono"
              placeholder={mode === "command" ? "uptime" : "#!/bin/sh\nset -eu\n…"}
              hint={
                mode === "command"
                  ? "Run by the shell as one command line."
                  : "Given to the shell on its standard input, as typed."
              }
              error={errors.command}
            />
            <TextField
              label="Name"
              name="name"
              autoComplete="off"
              hint="Optional: the command's first line otherwise."
              error={errors.name}
            />
          </div>
        </Card>

        <Card id="environment" title="Environment">
          <KeyValueEditor
            legend="Environment variables"
            noun="Variable"
            names={{ key: "envKey", value: "envValue" }}
            placeholders={{ key: "NAME", value: "value" }}
            initial={[{ key: "", value: "" }]}
            error={errors.env}
            hint="Passed to the command as environment variables, never written into the command line. Names starting with OPSC_ are reserved."
          />
        </Card>

        <Card id="options" title="Options">
          <div className="space-y-4">
            <div className="grid gap-4 sm:grid-cols-3">
              <TextField
                label="Timeout per target (s)"
                name="timeoutSeconds"
                inputMode="numeric"
                placeholder="3600"
                error={errors.timeoutSeconds}
              />
              <TextField
                label="Fan-out"
                name="fanOut"
                inputMode="numeric"
                placeholder="all at once"
                hint="Targets running at the same time, at most."
                error={errors.fanOut}
              />
              <TextField
                label="Failure threshold"
                name="failureThreshold"
                placeholder="none"
                hint="Stop starting targets after this many failures (3) or this share (10%)."
                error={errors.failureThreshold}
              />
            </div>
            <CheckboxField label="Use sudo" name="sudo" />
            <CheckboxField
              label="Run on local: on the worker host, once per target, instead of over SSH"
              name="runOn"
              value="local"
            />
            {errors.sudo || errors.runOn ? (
              <p className="text-xs font-medium text-red-600 dark:text-red-400" data-field-error>
                {errors.sudo ?? errors.runOn}
              </p>
            ) : null}
          </div>
        </Card>

        {canRun ? (
          <div className="flex justify-end gap-2">
            <Link to="/runs" className={buttonClass("secondary")}>
              Cancel
            </Link>
            <Button type="submit" isPending={submitting} pendingLabel="Starting…">
              Run
            </Button>
          </div>
        ) : null}
      </Form>
    </>
  );
}

/** The selector with the targets page's live preview under it, and the API's verdict after a submit. */
function SelectorField({ initial, error }: { initial: string; error: string | undefined }) {
  const [text, setText] = useState(initial);
  const inputId = useId();
  const statusId = useId();
  const errorId = useId();
  const selector = text.trim();
  const preview = useSelectorPreview(selector, "run-selector-preview");
  return (
    <div className="space-y-2">
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-700 dark:text-slate-200">
        Selector
      </label>
      <input
        id={inputId}
        name="selector"
        type="text"
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="env=prod role in (web,api) !name=db-*"
        spellCheck={false}
        autoComplete="off"
        aria-invalid={error || (preview && !preview.ok) ? true : undefined}
        aria-describedby={error ? `${errorId} ${statusId}` : statusId}
        className={`${inputClass} font-mono`}
      />
      <SelectorStatus id={statusId} selector={selector} preview={preview} fallbackError={null} />
      {error ? (
        <p id={errorId} className="text-xs font-medium text-red-600 dark:text-red-400" data-field-error>
          {error}
        </p>
      ) : null}
    </div>
  );
}
