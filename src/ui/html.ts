// HTML by tagged template: `html`…`` escapes every interpolated value, unless the value is itself
// the result of `html`. Payload text (branch names, commit messages, laminarc's output) is
// attacker input, so escaping must be what happens when nobody thinks about it. There is
// deliberately no way to mark a plain string safe: markup only comes from template literals in
// this folder. A 40-line helper is chosen over a template library because the pages are small,
// the rule is easy to audit, and TypeScript checks the templates like any other code.

/** Markup built by `html`: the only value interpolated without escaping. */
export class Html {
  readonly #text: string;

  private constructor(text: string) {
    this.#text = text;
  }

  toString(): string {
    return this.#text;
  }

  /** @internal Only `html` builds markup. */
  static fromTemplate(strings: TemplateStringsArray, values: readonly Interpolation[]): Html {
    let text = strings[0] ?? "";
    for (let index = 0; index < values.length; index++) {
      text += render(values[index]) + (strings[index + 1] ?? "");
    }
    return new Html(text);
  }
}

/** What a template takes: nothing (`null`, `undefined`, `false`) renders as nothing; arrays are joined. */
type Interpolation = Html | string | number | null | undefined | false | readonly Interpolation[];

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  return Html.fromTemplate(strings, values);
}

function render(value: Interpolation): string {
  if (value instanceof Html) return value.toString();
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Safe in text and in quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}
