import { timingSafeEqual } from "node:crypto";
import { inspect } from "node:util";

/**
 * A resolved secret. It hides its value from JSON, `util.inspect`, string conversion and so from
 * every logger, so that passing a Config around can never leak it; only `reveal()` reads it.
 */
export class Secret {
  readonly #value: string;
  /** Where it came from, for messages: `env GITHUB_WEBHOOK_SECRET`, `file /etc/…`, `inline`. */
  readonly source: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
  }

  reveal(): string {
    return this.#value;
  }

  /** Constant-time comparison with a value a client sent (GitLab's token is the secret itself). */
  equals(candidate: string): boolean {
    const expected = Buffer.from(this.#value, "utf8");
    const given = Buffer.from(candidate, "utf8");
    // timingSafeEqual throws on different lengths; the length of a secret is not worth hiding.
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  toJSON(): string {
    return "[secret]";
  }

  toString(): string {
    return "[secret]";
  }

  [inspect.custom](): string {
    return `[secret from ${this.source}]`;
  }
}

/**
 * Whether a request header may carry a secret (a signature is as good as the secret for a replay,
 * a token is the secret): such headers never reach the journal or a log line (DESIGN.md, Security).
 */
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

const SECRET_HEADER = /signature|token|authorization|secret|cookie|api-key/i;

/**
 * Payload fields that carry a secret, as dot paths: removed from every payload once its signature
 * is checked, so that no journal row, `show`, log line or `{{ payload.… }}` template sees them.
 * - `secret`: old Gitea (deprecated in 1.13, still sent by some versions) and Gogs put the hook's
 *   secret at the top level (fixtures gitea/push-1, gitea/pull_request-2 and -4).
 * - `hook.config`: GitHub's ping carries the hook's config: its `secret` (masked by GitHub today)
 *   and its `url`, where a password for nginx's basic auth may stand.
 */
export const SECRET_PAYLOAD_FIELDS: readonly (readonly string[])[] = [["secret"], ["hook", "config"]];
