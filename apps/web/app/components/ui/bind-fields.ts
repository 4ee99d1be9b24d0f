import type { ChangeEvent } from "react";

type KeysOf<TDraft, TValue> = { [K in keyof TDraft]-?: TDraft[K] extends TValue ? K : never }[keyof TDraft] &
  string;

type FieldChange = ChangeEvent<HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>;

/**
 * The props every controlled field of a draft form repeats: its form name, value, change handler and error.
 * `text("path", "action.path")` binds `draft.path` to the field posted as `<prefix>.action.path`, whose error is
 * `error("action.path")`; the path defaults to the key. Spread the result into a <TextField>, <TextareaField> or
 * <SelectField>, and put a prop after the spread to override one (an error read from several paths).
 * A select's value is stored as the option picked, so its options must be values of the key's type.
 */
export function bindFields<TDraft>(
  draft: TDraft,
  set: (patch: Partial<TDraft>) => void,
  error: (path: string) => string | undefined,
  prefix?: string,
) {
  const nameOf = (path: string) => (prefix ? `${prefix}.${path}` : path);
  return {
    text<K extends KeysOf<TDraft, string>>(key: K, path: string = key) {
      return {
        name: nameOf(path),
        value: draft[key] as string,
        onChange: (event: FieldChange) => set({ [key]: event.target.value } as Partial<TDraft>),
        error: error(path),
      };
    },
    checkbox<K extends KeysOf<TDraft, boolean>>(key: K, path: string = key) {
      return {
        name: nameOf(path),
        checked: draft[key] as boolean,
        onChange: (event: ChangeEvent<HTMLInputElement>) =>
          set({ [key]: event.target.checked } as Partial<TDraft>),
      };
    },
  };
}
