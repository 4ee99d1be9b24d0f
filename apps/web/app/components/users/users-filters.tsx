import { useEffect, useId, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { ROLE_LABELS, ROLES } from "../../lib/roles.ts";
import { toUsersSearchParams, type UsersQuery } from "../../lib/users.presenter.ts";
import { inputClass } from "../ui/field.tsx";

const SEARCH_DEBOUNCE_MS = 300;

/** Search and role filter, kept in the URL; typing waits for a pause before it reloads the list. */
export function UsersFilters({ query }: { query: UsersQuery }) {
  const [, setSearchParams] = useSearchParams();
  const [search, setSearch] = useState(query.search);
  const searchId = useId();
  const roleId = useId();

  // The URL's search changes from outside too (back/forward, a link): follow it then, but not when the change
  // is our own debounced write, or the box would be overwritten while the user keeps typing.
  const written = useRef(query.search);
  useEffect(() => {
    if (query.search === written.current) return;
    written.current = query.search;
    setSearch(query.search);
  }, [query.search]);

  useEffect(() => {
    const next = search.trim();
    if (next === query.search) return;
    const timer = setTimeout(() => {
      written.current = next;
      // replace: one history entry per search, not one per keystroke; a new search starts at page 1.
      setSearchParams(toUsersSearchParams({ ...query, search: next, page: 1 }), { replace: true });
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search, query, setSearchParams]);

  return (
    <search className="mb-4 flex flex-wrap items-end gap-3">
      <div className="min-w-60 flex-1">
        <label
          htmlFor={searchId}
          className="mb-1.5 block text-sm font-medium text-slate-700 dark:text-slate-200"
        >
          Search
        </label>
        <input
          id={searchId}
          type="search"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
          placeholder="Name or e-mail"
          className={inputClass}
        />
      </div>
      <div className="w-44">
        <label
          htmlFor={roleId}
          className="mb-1.5 block text-sm font-medium text-slate-700 dark:text-slate-200"
        >
          Role
        </label>
        <select
          id={roleId}
          value={query.role ?? ""}
          onChange={(event) => {
            const role = ROLES.find((candidate) => candidate === event.target.value) ?? null;
            setSearchParams(toUsersSearchParams({ ...query, search: search.trim(), role, page: 1 }));
          }}
          className={inputClass}
        >
          <option value="">All roles</option>
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {ROLE_LABELS[role]}
            </option>
          ))}
        </select>
      </div>
    </search>
  );
}
