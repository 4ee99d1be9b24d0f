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
  ]),
] satisfies RouteConfig;
