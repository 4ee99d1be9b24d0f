import { index, layout, type RouteConfig, route } from "@react-router/dev/routes";

// File names follow the flat dot-segment convention (`_app.users.tsx` = /users inside the `_app` layout);
// the config is spelled out rather than generated so no extra routing package is needed.
export default [
  route("sign-in", "routes/sign-in.tsx"),
  route("setup", "routes/setup.tsx"),
  route("sign-out", "routes/sign-out.tsx"),
  layout("routes/_app.tsx", [
    index("routes/_app._index.tsx"),
    route("users", "routes/_app.users.tsx"),
    route("profile", "routes/_app.profile.tsx"),
    route("targets", "routes/_app.targets._index.tsx"),
    // Data-only routes for fetchers on /targets (live selector preview, export download); static segments
    // outrank `:id`, and target ids are UUIDs.
    route("targets/preview", "routes/_app.targets.preview.tsx"),
    route("targets/export", "routes/_app.targets.export.tsx"),
    route("targets/:id", "routes/_app.targets.$id.tsx"),
    route("credentials", "routes/_app.credentials.tsx"),
    route("discovery", "routes/_app.discovery._index.tsx"),
    route("discovery/scans/:id", "routes/_app.discovery.scans.$id.tsx"),
    route("runs", "routes/_app.runs._index.tsx"),
    // Static before dynamic, as for targets; run ids are UUIDs.
    route("runs/new", "routes/_app.runs.new.tsx"),
    route("runs/:id", "routes/_app.runs.$id.tsx"),
    route("jobs", "routes/_app.jobs._index.tsx"),
    // Static segments before `:id`, as for targets and runs; job ids are UUIDs. `export` is a data-only route for
    // the list's download; `:id/choices` one for the run form's dynamic choices.
    route("jobs/new", "routes/_app.jobs.new.tsx"),
    route("jobs/import", "routes/_app.jobs.import.tsx"),
    route("jobs/export", "routes/_app.jobs.export.tsx"),
    route("jobs/:id", "routes/_app.jobs.$id.tsx"),
    route("jobs/:id/edit", "routes/_app.jobs.$id.edit.tsx"),
    route("jobs/:id/run", "routes/_app.jobs.$id.run.tsx"),
    route("jobs/:id/choices", "routes/_app.jobs.$id.choices.tsx"),
    route("schedules", "routes/_app.schedules.tsx"),
    // Data-only routes for fetchers: a timing's next fire times, a schedule's fire history.
    route("schedules/preview", "routes/_app.schedules.preview.tsx"),
    route("schedules/:id/fires", "routes/_app.schedules.$id.fires.tsx"),
    route("calendars", "routes/_app.calendars.tsx"),
    // Data-only: upcoming windows of a calendar or of the form's draft.
    route("calendars/preview", "routes/_app.calendars.preview.tsx"),
    // Data-only: a webhook's last deliveries.
    route("webhooks/:id/deliveries", "routes/_app.webhooks.$id.deliveries.tsx"),
  ]),
] satisfies RouteConfig;
