import { describe, expect, test } from "bun:test";
import { type TJobDefinitionInput, ZJobDefinition } from "@opsc/contracts/jobs/definition";
import {
  definitionToDraft,
  draftToDefinition,
  fieldPaths,
  normaliseJobErrors,
  placeErrors,
  splitWords,
  unplacedJobErrors,
} from "../app/lib/job-draft.presenter.ts";
import {
  emptyDraft,
  moveBy,
  newOutputTest,
  newParameter,
  newStep,
  removeAt,
  replaceAt,
} from "../app/lib/job-draft.ts";
import { validateJob, yamlProblemsForForm } from "../app/lib/job-schema.ts";
import { jobToYaml, parseJobYaml } from "../app/lib/job-yaml.ts";

/** A `${NAME}` reference of a choice source, written without a template-looking string literal. */
const ref = (name: string) => `$\{${name}}`;

/** A definition using every part of the editor, as the API returns it (defaults explicit). */
const FULL = ZJobDefinition.parse({
  description: "Deploys the web tier.\nTwo lines.",
  folder: "/web/deploys",
  tags: ["deploy", "web"],
  parameters: [
    {
      name: "ENV",
      type: "choice",
      label: "Environment",
      required: true,
      choices: {
        type: "static",
        values: [{ value: "staging", label: "Staging" }, { value: "prod" }],
      },
      default: "staging",
    },
    { name: "HOSTS", type: "target-selector", default: "role=web" },
    {
      name: "VERSION",
      type: "string",
      regex: "v\\d+\\.\\d+",
      minLength: 2,
      maxLength: 20,
      description: "The release",
    },
    { name: "BATCH", type: "integer", min: 1, max: 10, default: 2 },
    { name: "RATIO", type: "number", min: 0.5, default: 1.5 },
    { name: "DRY", type: "boolean", default: false },
    {
      name: "NODES",
      type: "multi-choice",
      choices: { type: "targets", selector: `env=${ref("ENV")}`, value: "address" },
      min: 1,
      default: ["a", "b"],
    },
    {
      name: "REGION",
      type: "choice",
      choices: { type: "http", url: `https://x.test/r?e=${ref("ENV")}`, path: "data" },
    },
    { name: "TOKEN", type: "secret", regex: "[a-z]+" },
  ],
  targets: { parameter: "HOSTS" },
  steps: [
    {
      key: "build",
      name: "Build",
      action: { type: "command", command: "make build", shell: "bash" },
      sudo: true,
      timeoutSeconds: 600,
      retry: { count: 2, backoffSeconds: 1.5, factor: 3 },
    },
    {
      key: "check",
      name: "Check",
      action: {
        type: "http",
        method: "POST",
        path: "/health",
        headers: { "X-Token": "t" },
        body: '{"a":1}',
        expectStatus: [200, 204],
        saveBody: true,
      },
      continueOnError: true,
      when: {
        status: "always",
        outputs: [
          { step: "build", key: "artifact", op: "exists" },
          { step: "build", key: "sha", op: "matches", value: "^[0-9a-f]+$" },
        ],
      },
    },
    {
      key: "notify",
      name: "Notify",
      action: {
        type: "job",
        job: "notify-team",
        parameters: { CHANNEL: "ops", COUNT: 3, LOUD: true, TO: ["a", "b"] },
      },
      runOn: "local",
      when: { status: "failure" },
    },
    { key: "pause", name: "Pause", action: { type: "noop", sleepMs: 250 } },
    { key: "script", name: "Script", action: { type: "script", script: "#!/bin/sh\necho hi\n" } },
  ],
  strategy: "step-first",
  fanOut: 5,
  failureThreshold: { percent: 25 },
  concurrency: "queue",
  workerGroup: "edge",
  exclusive: true,
} satisfies TJobDefinitionInput);

describe("the job editor's form ⇄ definition", () => {
  test("a saved definition comes back unchanged through the form", () => {
    const draft = definitionToDraft("deploy-web", FULL);
    const { name, definition, errors } = draftToDefinition(draft);
    expect(errors).toEqual({});
    expect(name).toBe("deploy-web");
    expect(definition).toEqual(FULL);
    expect(validateJob(name, definition)).toEqual({});
  });

  test("the form shows each part where it belongs", () => {
    const draft = definitionToDraft("deploy-web", FULL);
    expect(draft.tags).toBe("deploy, web");
    expect(draft.targetsMode).toBe("parameter");
    expect(draft.targetParameter).toBe("HOSTS");
    expect(draft.parameters.map((parameter) => parameter.type)).toEqual([
      "choice",
      "target-selector",
      "string",
      "integer",
      "number",
      "boolean",
      "multi-choice",
      "choice",
      "secret",
    ]);
    expect(draft.parameters[0]!.choices.map(({ value, label }) => ({ value, label }))).toEqual([
      { value: "staging", label: "Staging" },
      { value: "prod", label: "" },
    ]);
    expect(draft.parameters[6]!.defaultValue).toBe("a\nb");
    expect(draft.parameters[6]!.selector).toBe(`env=${ref("ENV")}`);
    expect(draft.parameters[7]!.url).toBe(`https://x.test/r?e=${ref("ENV")}`);
    expect(draft.steps[1]!.expectStatus).toBe("200, 204");
    expect(draft.steps[1]!.outputTests.map((row) => row.op)).toEqual(["exists", "matches"]);
    expect(draft.steps[2]!.jobParameters.map((row) => [row.key, row.value, row.kind])).toEqual([
      ["CHANNEL", "ops", "string"],
      ["COUNT", "3", "number"],
      ["LOUD", "true", "boolean"],
      ["TO", "a\nb", "list"],
    ]);
    expect(draft.failureThreshold).toBe("25%");
  });

  test("a new job starts with one step and the schema's defaults visible", () => {
    const draft = emptyDraft();
    expect(draft.steps).toHaveLength(1);
    expect(draft.steps[0]).toMatchObject({ key: "step_1", timeoutSeconds: "3600", retryCount: "0" });
    // Empty, it is refused with the API's messages, at the fields.
    const { name, definition } = draftToDefinition(draft);
    const errors = validateJob(name, definition);
    expect(Object.keys(errors).sort()).toEqual(["name", "steps.0.action.command", "targets.selector"]);
  });

  test("text that is not a number is reported at its field, not sent", () => {
    const draft = emptyDraft();
    const step = { ...draft.steps[0]!, timeoutSeconds: "ten", retryFactor: "x" };
    const parameter = { ...newParameter("N"), type: "integer" as const, min: "1.5" };
    const result = draftToDefinition({
      ...draft,
      steps: [step],
      parameters: [parameter],
      fanOut: "many",
      failureThreshold: "lots",
    });
    expect(result.errors).toEqual({
      "steps.0.timeoutSeconds": "Enter a whole number",
      "steps.0.retry.factor": "Enter a number",
      "parameters.0.min": "Enter a whole number",
      fanOut: "Enter a whole number",
      failureThreshold: "Enter a number of tasks (3) or a share (10%)",
    });
  });

  test("switching a parameter's type sends only that type's options", () => {
    const parameter = {
      ...newParameter("P"),
      regex: "a+",
      min: "3",
      defaultValue: "7",
      type: "integer" as const,
    };
    const { definition } = draftToDefinition({ ...emptyDraft(), parameters: [parameter] });
    expect(definition.parameters?.[0]).toEqual({
      name: "P",
      type: "integer",
      required: false,
      default: 7,
      min: 3,
    });
  });

  test("conditions on outputs: the schema refuses a step that is not an earlier one, at the test's field", () => {
    const first = { ...newStep(), key: "one", command: "true" };
    const second = {
      ...newStep([first]),
      key: "two",
      command: "true",
      outputTests: [{ ...newOutputTest("three"), key: "k", op: "exists" as const }],
    };
    const draft = { ...emptyDraft(), name: "j", selector: "all", steps: [first, second] };
    const { name, definition } = draftToDefinition(draft);
    expect(definition.steps[1]!.when).toEqual({
      status: "success",
      outputs: [{ step: "three", key: "k", op: "exists" }],
    });
    const errors = validateJob(name, definition);
    expect(errors).toEqual({ "steps.1.when.outputs.0.step": '"three" is not an earlier step' });
    expect(placeErrors(errors, fieldPaths(draft))).toEqual(errors);
  });

  test("errors deeper than a field land on the nearest field; unknown ones stay for the summary", () => {
    const draft = definitionToDraft("deploy-web", FULL);
    const placed = placeErrors(
      {
        "tags.1": "lower-case letters, digits and . _ -",
        "steps.1.action.headers.X Bad": "an HTTP header name",
        "parameters.0.choices.values.1.value": "Too small",
        surprise: "Unknown field",
      },
      fieldPaths(draft),
    );
    expect(placed).toEqual({
      tags: "1: lower-case letters, digits and . _ -",
      "steps.1.action.headers": "X Bad: an HTTP header name",
      "parameters.0.choices.values": "1.value: Too small",
      surprise: "Unknown field",
    });
    expect(unplacedJobErrors(placed, fieldPaths(draft))).toEqual(["surprise: Unknown field"]);
  });

  test("the API's paths under definition. are the form's", () => {
    expect(normaliseJobErrors({ "definition.steps.0.key": "bad", name: "taken" })).toEqual({
      "steps.0.key": "bad",
      name: "taken",
    });
  });

  test("steps and parameters are added, removed and reordered", () => {
    const steps = [newStep(), newStep(), newStep()].map((step, index) => ({ ...step, key: `s${index}` }));
    expect(moveBy(steps, 2, -1).map((step) => step.key)).toEqual(["s0", "s2", "s1"]);
    expect(moveBy(steps, 0, -1).map((step) => step.key)).toEqual(["s0", "s1", "s2"]);
    expect(removeAt(steps, 1).map((step) => step.key)).toEqual(["s0", "s2"]);
    expect(replaceAt(steps, 1, { ...steps[1]!, key: "x" }).map((step) => step.key)).toEqual([
      "s0",
      "x",
      "s2",
    ]);
    expect(newStep(steps.map((step, index) => ({ ...step, key: `step_${index + 1}` }))).key).toBe("step_4");
  });

  test("words split on commas, spaces and lines", () => {
    expect(splitWords(" a, b\nc  d,,")).toEqual(["a", "b", "c", "d"]);
  });
});

describe("the job editor's YAML tab", () => {
  test("form → YAML → form gives the same definition", () => {
    const yaml = jobToYaml("deploy-web", FULL);
    expect(yaml.startsWith("name: deploy-web\n")).toBe(true);
    // Scripts and multi-line text stay readable blocks.
    expect(yaml).toContain("script: |");
    const parsed = parseJobYaml(yaml);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.name).toBe("deploy-web");
    expect(parsed.definition).toEqual(FULL);
    expect(yamlProblemsForForm(parsed.definition)).toEqual({});
    expect(
      draftToDefinition(definitionToDraft(parsed.name, parsed.definition as TJobDefinitionInput)).definition,
    ).toEqual(FULL);
  });

  test("strings that look like numbers keep their quotes", () => {
    const definition = {
      ...FULL,
      parameters: [{ name: "V", type: "string" as const, default: "010", required: false }],
    };
    const parsed = parseJobYaml(jobToYaml("j", definition));
    expect(parsed.ok && (parsed.definition.parameters as { default: unknown }[])[0]!.default).toBe("010");
  });

  test("syntax errors say where", () => {
    const parsed = parseJobYaml("name: j\nsteps:\n  - key: a\n   name: b\n");
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.line).toBe(4);
  });

  test("one job per editor, a map with a name", () => {
    expect(parseJobYaml("name: a\n---\nname: b\n")).toMatchObject({
      ok: false,
      message: expect.stringContaining("Import"),
    });
    expect(parseJobYaml("- a\n- b\n")).toMatchObject({ ok: false });
    expect(parseJobYaml("steps: []\n")).toMatchObject({
      ok: false,
      message: expect.stringContaining("name"),
    });
  });

  test("fields the form has no place for keep the YAML out of the form", () => {
    const parsed = parseJobYaml(`${jobToYaml("j", FULL)}colour: blue\n`);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(yamlProblemsForForm(parsed.definition)).toEqual({ colour: "Unknown field" });
    const wrongKind = parseJobYaml("name: j\ntargets: { selector: all }\nsteps: nope\n");
    if (!wrongKind.ok) throw new Error(wrongKind.message);
    expect(Object.keys(yamlProblemsForForm(wrongKind.definition))).toEqual(["steps"]);
    // A value the form can hold (a bad key) is no obstacle: it shows at its field once in the form.
    const badKey = parseJobYaml(
      "name: j\ntargets: { selector: all }\nsteps:\n  - { key: Bad, name: b, action: { type: noop } }\n",
    );
    if (!badKey.ok) throw new Error(badKey.message);
    expect(yamlProblemsForForm(badKey.definition)).toEqual({});
    expect(validateJob("j", badKey.definition)).toEqual({
      "steps.0.key": "lower-case letters, digits and '_', starting with a letter",
    });
  });
});
