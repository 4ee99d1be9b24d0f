import { useEffect, useId, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import {
  HEALTH_LABELS,
  HEALTH_STATUSES,
  parseTagFilters,
  TARGET_KIND_LABELS,
  TARGET_KINDS,
  type TargetsQuery,
  toTargetsSearchParams,
} from "../../lib/targets.presenter.ts";
import { inputClass } from "../ui/field.tsx";
import { SelectorBox } from "./selector-box.tsx";

const SEARCH_DEBOUNCE_MS = 300;
const labelClass = "mb-1.5 block text-sm font-medium text-slate-700 dark:text-slate-200";

/**
 * Search, kind, health, state and tag filters plus the selector, all kept in the URL. Every change starts over
 * at the first page (the cursor stack belongs to the old filter).
 */
export function TargetsFilters({
  query,
  selectorError,
}: {
  query: TargetsQuery;
  selectorError: string | null;
}) {
  const [, setSearchParams] = useSearchParams();
  const [search, setSearch] = useState(query.search);
  const [tagText, setTagText] = useState(query.tags.join(" "));
  const ids = { search: useId(), kind: useId(), health: useId(), enabled: useId(), tags: useId() };
  const apply = (change: Partial<TargetsQuery>, options?: { replace?: boolean }) =>
    setSearchParams(
      toTargetsSearchParams({ ...query, search: search.trim(), ...change, cursors: [] }),
      options,
    );

  // As on /users: follow outside changes of the URL, but not our own debounced writes.
  const written = useRef(query.search);
  useEffect(() => {
    if (query.search === written.current) return;
    written.current = query.search;
    setSearch(query.search);
  }, [query.search]);
  const tagsKey = query.tags.join(" ");
  useEffect(() => setTagText(tagsKey), [tagsKey]);

  useEffect(() => {
    const next = search.trim();
    if (next === query.search) return;
    const timer = setTimeout(() => {
      written.current = next;
      setSearchParams(toTargetsSearchParams({ ...query, search: next, cursors: [] }), { replace: true });
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search, query, setSearchParams]);

  const tagFilter = parseTagFilters(tagText);

  return (
    <search className="mb-4 space-y-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <div className="flex flex-wrap items-end gap-3">
        <div className="min-w-52 flex-1">
          <label htmlFor={ids.search} className={labelClass}>
            Search
          </label>
          <input
            id={ids.search}
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            placeholder="Name or address"
            className={inputClass}
          />
        </div>
        <div className="w-32">
          <label htmlFor={ids.kind} className={labelClass}>
            Kind
          </label>
          <select
            id={ids.kind}
            value={query.kind ?? ""}
            onChange={(event) =>
              apply({ kind: TARGET_KINDS.find((kind) => kind === event.target.value) ?? null })
            }
            className={inputClass}
          >
            <option value="">All kinds</option>
            {TARGET_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {TARGET_KIND_LABELS[kind]}
              </option>
            ))}
          </select>
        </div>
        <div className="w-36">
          <label htmlFor={ids.health} className={labelClass}>
            Health
          </label>
          <select
            id={ids.health}
            value={query.health ?? ""}
            onChange={(event) =>
              apply({ health: HEALTH_STATUSES.find((status) => status === event.target.value) ?? null })
            }
            className={inputClass}
          >
            <option value="">Any health</option>
            {HEALTH_STATUSES.map((status) => (
              <option key={status} value={status}>
                {HEALTH_LABELS[status]}
              </option>
            ))}
          </select>
        </div>
        <div className="w-36">
          <label htmlFor={ids.enabled} className={labelClass}>
            State
          </label>
          <select
            id={ids.enabled}
            value={query.enabled ?? ""}
            onChange={(event) => {
              const value = event.target.value;
              apply({ enabled: value === "true" || value === "false" ? value : null });
            }}
            className={inputClass}
          >
            <option value="">Any state</option>
            <option value="true">Enabled</option>
            <option value="false">Disabled</option>
          </select>
        </div>
        <form
          className="w-56"
          onSubmit={(event) => {
            event.preventDefault();
            apply({ tags: tagFilter.tags });
          }}
        >
          <label htmlFor={ids.tags} className={labelClass}>
            Tags
          </label>
          <input
            id={ids.tags}
            value={tagText}
            onChange={(event) => setTagText(event.target.value)}
            onBlur={() => {
              if (tagFilter.tags.join(" ") !== tagsKey) apply({ tags: tagFilter.tags });
            }}
            placeholder="env=prod team=core"
            aria-invalid={tagFilter.invalid.length ? true : undefined}
            aria-describedby={tagFilter.invalid.length ? `${ids.tags}-error` : undefined}
            className={`${inputClass} font-mono`}
          />
          {tagFilter.invalid.length ? (
            <p id={`${ids.tags}-error`} className="mt-1 text-xs text-red-600 dark:text-red-400">
              Not key=value: {tagFilter.invalid.join(", ")}
            </p>
          ) : null}
        </form>
      </div>
      <SelectorBox
        applied={query.selector}
        appliedError={selectorError}
        onApply={(selector) => apply({ selector })}
      />
    </search>
  );
}
