import { Link } from "react-router";
import type { HostRow } from "../../lib/discovery.presenter.ts";
import { Badge } from "../ui/badge.tsx";

const th =
  "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500 dark:text-slate-400";
const td = "px-3 py-2 align-top text-sm text-slate-700 dark:text-slate-300";

export function ResultsTable({ hosts }: { hosts: HostRow[] }) {
  if (!hosts.length)
    return <p className="text-sm text-slate-500 dark:text-slate-400">No host answered on these ports.</p>;
  return (
    <div className="-mx-5 overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 dark:divide-slate-800">
        <thead>
          <tr>
            <th className={th}>Address</th>
            <th className={th}>Reverse DNS</th>
            <th className={th}>Open ports</th>
            <th className={th}>Target</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {hosts.map((host) => (
            <tr key={host.address} data-host-row={host.address}>
              <td className={`${td} font-mono`}>{host.address}</td>
              <td className={td}>{host.hostname}</td>
              <td className={td}>
                <ul className="space-y-1">
                  {host.ports.map((port) => (
                    <li key={port.port} className="flex flex-wrap items-center gap-2">
                      <span className="font-mono">{port.port}</span>
                      {port.service ? <Badge tone="indigo">{port.service}</Badge> : null}
                      {port.detail ? (
                        <span className="break-all text-xs text-slate-500 dark:text-slate-400" data-banner>
                          {port.detail}
                        </span>
                      ) : null}
                    </li>
                  ))}
                </ul>
              </td>
              <td className={td}>
                {host.importedTargetId ? (
                  <Link
                    to={`/targets/${host.importedTargetId}`}
                    className="text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    Imported
                  </Link>
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
