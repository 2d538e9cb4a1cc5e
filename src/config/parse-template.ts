// `params` values with placeholders: `{{ branch }}` for a built-in parameter, `{{ payload.a.0.b }}`
// for a field of the delivery's JSON. Parsed once at load, so a typo is a config error with its
// line and column instead of an empty parameter at 3 a.m.; src/routing/render-template.ts fills them.

import { BUILT_IN_PARAMS, type Template, type TemplatePart } from "../types.ts";
import { SECRET_PAYLOAD_FIELDS } from "./secret.ts";

/** A placeholder's problem; `needle` is text of the value to find in the file, `offset` where in it to point. */
interface TemplateProblem {
  message: string;
  needle: string;
  offset: number;
}

type ParsedTemplate = { ok: true; template: Template } | { ok: false; problems: TemplateProblem[] };

const BUILT_INS: ReadonlySet<string> = new Set(BUILT_IN_PARAMS);
/** A JSON key in a dot path: anything but dots, braces, brackets and white space. */
const SEGMENT = /^[^\s.{}[\]]+$/;

/** The parts of a `params` value, or every problem in it; `{{` always opens a placeholder. */
export function parseTemplate(source: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const problems: TemplateProblem[] = [];
  let text = "";
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf("{{", at);
    const strayClose = source.indexOf("}}", at);
    if (strayClose !== -1 && (open === -1 || strayClose < open)) {
      const needle = source.slice(at, strayClose + 2).split("\n").at(-1) ?? "}}";
      problems.push({ message: `"}}" without an opening "{{"`, needle, offset: needle.length - 2 });
    }
    if (open === -1) {
      text += source.slice(at);
      break;
    }
    text += source.slice(at, open);
    const close = source.indexOf("}}", open + 2);
    if (close === -1) {
      problems.push({ message: `"{{" is never closed with "}}"`, needle: source.slice(open).split("\n")[0] ?? "{{", offset: 0 });
      break;
    }
    const placeholder = source.slice(open, close + 2);
    const part = parsePlaceholder(source.slice(open + 2, close).trim(), placeholder);
    if ("message" in part) {
      problems.push(part);
    } else {
      if (text !== "") parts.push({ kind: "text", text });
      text = "";
      parts.push(part);
    }
    at = close + 2;
  }
  if (text !== "") parts.push({ kind: "text", text });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, template: { source, parts } };
}

function parsePlaceholder(inner: string, placeholder: string): TemplatePart | TemplateProblem {
  const problem = (message: string): TemplateProblem => ({ message: `${placeholder}: ${message}`, needle: placeholder, offset: 0 });
  if (inner.includes("{") || inner.includes("}")) return problem(`unbalanced braces`);
  if (inner === "") return problem(`empty placeholder; name a built-in parameter or payload.FIELD`);
  if (BUILT_INS.has(inner)) return { kind: "param", name: inner };
  if (inner === "payload") return problem(`the whole payload is not one value; name a field, as in payload.repository.name`);
  if (inner.startsWith("payload.")) {
    const path = inner.slice("payload.".length).split(".");
    if (inner.includes("[")) return problem(`array indexes are written as numbers between dots, as in payload.commits.0.id`);
    const bad = path.find((segment) => !SEGMENT.test(segment));
    if (bad !== undefined) {
      return problem(bad === "" ? `empty field name in the path` : `"${bad}" is not a field name`);
    }
    const secret = SECRET_PAYLOAD_FIELDS.find((field) => field.every((segment, i) => path[i] === segment));
    if (secret !== undefined) {
      return problem(`payload.${secret.join(".")} carries the hook's secret; laminar-hooks removes it from every payload and never passes it to a job`);
    }
    return { kind: "payload", path };
  }
  return problem(`unknown name "${inner}"; use one of ${BUILT_IN_PARAMS.join(", ")} or payload.FIELD`);
}
