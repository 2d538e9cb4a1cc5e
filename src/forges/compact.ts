// exactOptionalPropertyTypes forbids `{ tag: undefined }` where `tag?: string` is declared, and the
// event model leaves empty parameters out. This keeps only the fields that carry a value.

type Loose<T> = { [K in keyof T]?: T[K] | null | undefined };

/** The fields whose value is neither undefined, null nor the empty string. */
export function compact<T extends object>(fields: Loose<T>): Partial<T> {
  const kept: Partial<T> = {};
  for (const key of Object.keys(fields) as Array<keyof T>) {
    const value = fields[key];
    if (value !== undefined && value !== null && value !== "") kept[key] = value as T[keyof T];
  }
  return kept;
}
