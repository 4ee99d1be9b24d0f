/** Moves focus to the first field marked invalid, so keyboard and screen reader users land on what to fix. */
export function focusFirstError(container: HTMLElement | null): void {
  container?.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
}
