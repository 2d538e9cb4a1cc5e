// What every doctor check returns: a finding per thing wrong, each saying what to do next.

/**
 * `problem`: a push will not build, or its result will not show (exit 1). `warning`: probably
 * not meant, or will bite later (exit 0). `note`: something doctor could not check, and why.
 */
type Severity = "problem" | "warning" | "note";

export interface Finding {
  severity: Severity;
  /** What it is about: `laminar`, `job deploy`, `github sbrl/wiki hook`, `service /healthz`. */
  subject: string;
  /** What is wrong, with the evidence (a status, laminarc's words). */
  message: string;
  /** What the operator does next. */
  action: string;
}

export function problem(subject: string, message: string, action: string): Finding {
  return { severity: "problem", subject, message, action };
}

export function warning(subject: string, message: string, action: string): Finding {
  return { severity: "warning", subject, message, action };
}

export function note(subject: string, message: string, action: string): Finding {
  return { severity: "note", subject, message, action };
}

/** One line a person reads: `problem  job deploy: … → what to do`. */
export function formatFinding(finding: Finding): string {
  return `${finding.severity.padEnd(7)} ${finding.subject}: ${finding.message} → ${finding.action}`;
}

/** Problems make doctor exit 1; warnings and notes leave it 0. */
export function exitCodeFor(findings: readonly Finding[]): number {
  return findings.some((finding) => finding.severity === "problem") ? 1 : 0;
}
