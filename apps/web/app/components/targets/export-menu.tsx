import { useEffect } from "react";
import { useFetcher } from "react-router";
import { saveFile } from "../../lib/download.ts";
import type { TargetsExport } from "../../lib/targets.client.ts";
import { type ExchangeFormat, exportFileName } from "../../lib/targets.presenter.ts";
import { Button } from "../ui/button.tsx";
import { useToast } from "../ui/toast.tsx";

const MIME: Record<ExchangeFormat, string> = { csv: "text/csv", yaml: "application/yaml" };

function download(content: string, format: ExchangeFormat) {
  saveFile(
    new Blob([content], { type: `${MIME[format]};charset=utf-8` }),
    exportFileName(format, new Date()),
  );
}

/** Downloads every target the applied selector matches (all targets without one) as CSV or YAML. */
export function ExportMenu({ selector }: { selector: string }) {
  const fetcher = useFetcher<TargetsExport>({ key: "export-targets" });
  const toast = useToast();
  const { data, state, reset } = fetcher;
  useEffect(() => {
    if (state !== "idle" || !data) return;
    download(data.content, data.format);
    toast("success", `Exported ${data.count === 1 ? "1 target" : `${data.count.toLocaleString()} targets`}.`);
    // Forget it, so nothing can hand the same file over a second time.
    reset();
  }, [state, data, reset, toast]);
  const load = (format: ExchangeFormat) =>
    void fetcher.load(
      `/targets/export?${new URLSearchParams({ format, ...(selector ? { selector } : {}) })}`,
    );
  const busy = state !== "idle";
  return (
    <fieldset className="inline-flex items-center gap-1" disabled={busy} aria-busy={busy}>
      <legend className="sr-only">
        Export {selector ? "the targets the selector matches" : "all targets"}
      </legend>
      <Button variant="secondary" onClick={() => load("csv")} title="Download as CSV">
        Export CSV
      </Button>
      <Button variant="secondary" onClick={() => load("yaml")} title="Download as YAML">
        Export YAML
      </Button>
    </fieldset>
  );
}
