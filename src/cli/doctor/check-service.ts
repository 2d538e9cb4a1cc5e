// laminar-hooks itself: does /healthz answer where the forges send hooks, and where it listens?

import { problem, type Finding } from "./finding.ts";

/** What a GET /healthz got: an answer, or the reason there was none. */
export type HealthzAnswer = { status: number; body: string } | { error: string };

/** The service's own /healthz body (src/http/create-app.ts): anything else is another server. */
function isOurs(body: string): boolean {
  try {
    return (JSON.parse(body) as { message?: unknown }).message === "ok";
  } catch {
    return false;
  }
}

/**
 * `where`: `public` is server.public_url's origin, as a forge reaches it (through nginx or another
 * proxy); `local` is server.listen, bypassing it. Which one fails tells the operator where to look.
 */
export function checkHealthz(where: "public" | "local", url: string, answer: HealthzAnswer): Finding[] {
  const subject = where === "public" ? "service (public)" : "service (local)";
  const next = where === "public"
    ? "check that the proxy in front (nginx) forwards this host to laminar-hooks (GET /healthz included) and that the forges can reach it"
    : "start the service (laminar-hooks serve, or its systemd unit), or fix server.listen";
  if ("error" in answer) return [problem(subject, `GET ${url} got no answer: ${answer.error}`, next)];
  if (answer.status !== 200) return [problem(subject, `GET ${url} answered ${answer.status}`, next)];
  if (!isOurs(answer.body)) {
    return [problem(subject, `GET ${url} answered 200 but not as laminar-hooks does ({"message":"ok"}): another server answers there`, next)];
  }
  return [];
}
