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
  ]),
] satisfies RouteConfig;
