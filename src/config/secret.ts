import { timingSafeEqual } from "node:crypto";
import { inspect } from "node:util";

/**
 * A resolved secret. It hides its value from JSON, `util.inspect`, string conversion and so from
 * every logger, so that passing a Config around can never leak it; only `reveal()` reads it.
 *
 * A command that only reads (`show`, `check`, `doctor`) loads the config in the operator's shell,
 * where the service's secrets often cannot be read (its environment, files only its user may
 * read): there a secret may be unreadable, and only using it (`reveal`, `equals`) is an error,
 * a SecretUnreadableError that says which one and why. The service refuses such a config at load.
 */
export class Secret {
  #value: string;
  #unreadable: string | undefined;
  /** Where it came from, for messages: `env GITHUB_WEBHOOK_SECRET`, `file /etc/…`, `inline`. */
  readonly source: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
  }

  /** A secret this process could not read: `why` names it and the reason, never a value. */
  static unreadable(source: string, why: string): Secret {
    const secret = new Secret("", source);
    secret.#unreadable = why;
    return secret;
  }

  /** Why it could not be read here (`forges.github.token: environment variable … is not set or empty`), when it could not. */
  get unreadable(): string | undefined {
    return this.#unreadable;
  }

  /** The value; throws SecretUnreadableError for a secret this process could not read. */
  reveal(): string {
    if (this.#unreadable !== undefined) throw new SecretUnreadableError(this.#unreadable);
    return this.#value;
  }

  /** Constant-time comparison with a value a client sent (GitLab's token is the secret itself). */
  equals(candidate: string): boolean {
    const expected = Buffer.from(this.reveal(), "utf8");
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
    return `[secret from ${this.source}${this.#unreadable === undefined ? "" : ", unreadable here"}]`;
  }
}

/**
 * A secret or token that this process could not read (a command run in the operator's shell,
 * without the service's environment or files) was needed: the message names it and why.
 */
export class SecretUnreadableError extends Error {
  constructor(why: string) {
    super(`${why}; it is needed here: run this where the service's secrets can be read (as its user, with its environment)`);
    this.name = "SecretUnreadableError";
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
