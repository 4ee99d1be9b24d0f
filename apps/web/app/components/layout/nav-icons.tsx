import type { ReactNode } from "react";

// The navigation's icons for targets and credentials, drawn like those in icons.tsx (24px grid, currentColor).
function NavIcon({ children }: { children: ReactNode }) {
  return (
    <svg
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.75"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      className="size-5 shrink-0"
    >
      {children}
    </svg>
  );
}

/** Two stacked servers. */
export const TargetsIcon = () => (
  <NavIcon>
    <rect x="3" y="4" width="18" height="7" rx="1.5" />
    <rect x="3" y="13" width="18" height="7" rx="1.5" />
    <path d="M7 7.5h.01M7 16.5h.01M11 7.5h6M11 16.5h6" />
  </NavIcon>
);

/** A key. */
export const CredentialsIcon = () => (
  <NavIcon>
    <circle cx="8" cy="15" r="4" />
    <path d="m11 12 9-9M16 7l3 3M14 9l2 2" />
  </NavIcon>
);

/** A radar sweep. */
export const DiscoveryIcon = () => (
  <NavIcon>
    <circle cx="12" cy="12" r="9" />
    <circle cx="12" cy="12" r="4.5" />
    <path d="M12 12 18.5 5.5" />
    <path d="M16 15.5h.01" />
  </NavIcon>
);

/** A terminal prompt. */
export const RunsIcon = () => (
  <NavIcon>
    <rect x="3" y="4" width="18" height="16" rx="2" />
    <path d="m7 9 3 3-3 3M12 15h5" />
  </NavIcon>
);
