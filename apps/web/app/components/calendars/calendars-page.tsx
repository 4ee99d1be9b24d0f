import type { TCalendar } from "@opsc/contracts/jobs/calendars";
import { Fragment, useCallback, useEffect, useState } from "react";
import { useFetcher } from "react-router";
import { useProfile } from "../../lib/app-data.ts";
import type { CalendarPreview, CalendarsPage as CalendarsPageData } from "../../lib/calendars.client.ts";
import { describeScope, describeWindow } from "../../lib/calendars.presenter.ts";
import { hasRole } from "../../lib/roles.ts";
import { Pager } from "../discovery/pager.tsx";
import { PageHeader } from "../layout/app-shell.tsx";
import { Button } from "../ui/button.tsx";
import { ConfirmDeleteDialog } from "../ui/confirm-delete-form.tsx";
import { DetailRow, EditDeleteButtons, ListTable } from "../ui/list-table.tsx";
import { CalendarDialog } from "./calendar-dialog.tsx";
import { Occurrences } from "./occurrences.tsx";

const td = "px-3 py-2.5 align-top text-sm text-slate-700 dark:text-slate-300";

/** /calendars: blackout calendars with their windows and scope; operators create, edit and delete them. */
export function CalendarsPage({ page }: { page: CalendarsPageData }) {
  const { effectiveRole } = useProfile();
  const canWrite = hasRole(effectiveRole, "operator");
  const [dialog, setDialog] = useState<{
    kind: "create" | "edit" | "delete";
    calendar: TCalendar | null;
  } | null>(null);
  const [upcoming, setUpcoming] = useState<string | null>(null);
  const close = useCallback(() => setDialog(null), []);
  return (
    <>
      <PageHeader
        title="Calendars"
        description="Blackout windows: when scheduled and webhook runs of the jobs in a calendar's scope must not start."
        actions={
          canWrite ? (
            <Button onClick={() => setDialog({ kind: "create", calendar: null })}>New calendar</Button>
          ) : null
        }
      />
      {page.calendars.length ? (
        <div className="space-y-3">
          <ListTable
            frame="card"
            columns={[
              { label: "Calendar" },
              { label: "Windows" },
              { label: "Applies to" },
              { label: "Actions", isHidden: true },
            ]}
            cellClass="px-3 py-2.5"
          >
            {page.calendars.map((calendar) => (
              <Fragment key={calendar.id}>
                <tr data-calendar-row={calendar.name}>
                  <td className={td}>
                    <p className="font-medium text-slate-900 dark:text-white">{calendar.name}</p>
                    <p className="text-xs text-slate-500">{calendar.timeZone}</p>
                    {calendar.description ? (
                      <p className="text-xs text-slate-500">{calendar.description}</p>
                    ) : null}
                  </td>
                  <td className={`${td} font-mono text-xs`}>
                    <ul className="space-y-0.5">
                      {calendar.windows.map((window, index) => (
                        // biome-ignore lint/suspicious/noArrayIndexKey: windows are addressed by position
                        <li key={index}>{describeWindow(window)}</li>
                      ))}
                    </ul>
                  </td>
                  <td className={td}>{describeScope(calendar.scope)}</td>
                  <td className={`${td} whitespace-nowrap`}>
                    <div className="flex justify-end gap-1">
                      <Button
                        variant="ghost"
                        size="sm"
                        aria-expanded={upcoming === calendar.id}
                        aria-label={`Upcoming windows of ${calendar.name}`}
                        onClick={() =>
                          setUpcoming((current) => (current === calendar.id ? null : calendar.id))
                        }
                      >
                        Upcoming
                      </Button>
                      {canWrite ? (
                        <EditDeleteButtons
                          name={calendar.name}
                          onEdit={() => setDialog({ kind: "edit", calendar })}
                          onDelete={() => setDialog({ kind: "delete", calendar })}
                        />
                      ) : null}
                    </div>
                  </td>
                </tr>
                {upcoming === calendar.id ? (
                  <DetailRow columns={4}>
                    <SavedUpcoming calendar={calendar} />
                  </DetailRow>
                ) : null}
              </Fragment>
            ))}
          </ListTable>
          <Pager paging={page.paging} label="Calendar pages" />
        </div>
      ) : (
        <p className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-sm text-slate-500 dark:border-slate-700 dark:text-slate-400">
          No calendars: scheduled runs start whenever they are due.
        </p>
      )}
      {canWrite ? (
        <>
          <CalendarDialog
            open={dialog?.kind === "create" || dialog?.kind === "edit"}
            calendar={dialog?.kind === "edit" ? dialog.calendar : null}
            onClose={close}
          />
          <ConfirmDeleteDialog
            item={dialog?.kind === "delete" ? dialog.calendar : null}
            intent="delete-calendar"
            noun="calendar"
            description="Its windows stop holding runs back at once."
            onClose={close}
          />
        </>
      ) : null}
    </>
  );
}

function SavedUpcoming({ calendar }: { calendar: TCalendar }) {
  const fetcher = useFetcher<CalendarPreview>();
  const { load } = fetcher;
  const key = `${calendar.id}:${calendar.updatedAt}`;
  useEffect(() => {
    void load(`/calendars/preview?${new URLSearchParams({ id: calendar.id, key })}`);
  }, [calendar.id, key, load]);
  return (
    <div className="space-y-1">
      <p className="text-xs font-medium text-slate-600 dark:text-slate-300">Next 14 days</p>
      <Occurrences
        preview={fetcher.data?.key === key ? fetcher.data : undefined}
        timeZone={calendar.timeZone}
      />
    </div>
  );
}
