// Recipes for bad webhook requests, drawn from a seeded PRNG: real forge payloads cut, corrupted
// and reshaped; wrong content types, charsets, encodings and signatures; forge headers mixed;
// huge headers; malformed HTTP. Some carry a valid signature over their garbage, so that they get
// past verification and exercise normalisation, routing and the journal.

import { createHmac } from "node:crypto";
import { gzipSync } from "node:zlib";
import { payload } from "../support/payloads.ts";
import type { Random } from "./prng.ts";

export const SECRETS = {
  github: "fuzz-github-secret",
  gitea: "fuzz-gitea-secret",
  forgejo: "fuzz-forgejo-secret",
  gogs: "fuzz-gogs-secret",
  gitlab: "fuzz-gitlab-token",
} as const;
type ForgeName = keyof typeof SECRETS;
const FORGES = Object.keys(SECRETS) as ForgeName[];

/** Routes `fuzz/*` to one job, only for branches named `fuzz-…`: a few garbage deliveries reach laminarc. */
export const FUZZ_CONFIG = `
forges:
  github: { secret: ${SECRETS.github} }
  gitea: { secret: ${SECRETS.gitea} }
  forgejo: { secret: ${SECRETS.forgejo} }
  gogs: { secret: ${SECRETS.gogs} }
  gitlab: { secret: ${SECRETS.gitlab} }
repositories:
  - repo: "fuzz/*"
    jobs:
      - job: fuzz-build
        events: [push, pull_request]
        branches: ["fuzz-*"]
        params:
          author: "{{ payload.head_commit.author.name }}"
          first: "{{ payload.commits.0.id }}"
          title: "{{ payload.object_attributes.title }}"
      - job: fuzz-tag
        events: [tag, release]
        tags: ["fuzz-*"]
`;

export interface FuzzCase {
  index: number;
  kind: string;
  method: string;
  path: string;
  /** In order; an array value sends the header once per item. */
  headers: [string, string | string[]][];
  body: Buffer;
  /** Malformed HTTP sent as is over a socket, instead of method/path/headers/body. */
  raw?: Buffer;
  /** Carries a valid signature (or token) for the forge it names, made with that forge's secret. */
  signed: boolean;
  /** The delivery id in every delivery header it carries. */
  deliveryId: string;
  /** Node's own HTTP parser answers it (431, 400) without a JSON body. */
  nodeAnswers?: number[];
}

interface Base {
  forge: ForgeName;
  event: string;
  json: string;
}

const BASES: Base[] = [
  ["github", "push", "github/push-5.json"], ["github", "push", "github/push-1.json"],
  ["github", "pull_request", "github/pull_request-1.json"], ["github", "release", "github/release-1.json"],
  ["github", "ping", "github/ping-1.json"], ["github", "create", "github/create-1.json"],
  ["gitea", "push", "gitea/push-1.json"], ["gitea", "pull_request", "gitea/pull_request-1.json"],
  ["gitea", "release", "gitea/release-1.json"], ["forgejo", "push", "gitea/push-2.json"],
  ["gogs", "push", "gogs/push-1.json"], ["gogs", "pull_request", "gogs/pull_request-1.json"],
  ["gitlab", "Push Hook", "gitlab/push-1.json"], ["gitlab", "Tag Push Hook", "gitlab/tag_push-1.json"],
  ["gitlab", "Merge Request Hook", "gitlab/merge_request-1.json"],
].map(([forge, event, file]) => ({ forge: forge as ForgeName, event: event!, json: payload(file!).toString("utf8") }));

const EVENT_NAMES = [
  "push", "pull_request", "release", "ping", "create", "delete", "issues", "Push Hook", "Tag Push Hook",
  "Merge Request Hook", "System Hook", "pull_request_sync", "", " ", "PUSH", "push ", "__proto__", "constructor",
  "toString", "x".repeat(300), "push\tpush",
];

const CONTENT_TYPES = [
  "text/plain", "application/xml", "multipart/form-data; boundary=xyz", "application/json; charset=latin1",
  "application/json; charset=utf-16le", "application/json; charset=bogus-7", "application/json;charset=UTF-8",
  "APPLICATION/JSON", "application/json, text/plain", "application/x-www-form-urlencoded; charset=iso-8859-1",
  "", "application/vnd.github+json", "*/*", "application/json; charset", ";;;", "application/jsonx",
  "application/x-www-form-urlencoded", "application/json; charset=\"utf-8\"", "text/json", "application/*",
];

const PATHS = [
  "/hooks", "/hooks/github", "/hooks/gitea", "/hooks/forgejo", "/hooks/gogs", "/hooks/gitlab", "/hooks/__proto__",
  "/hooks/constructor", "/hooks/toString", "/hooks/hasOwnProperty", "/hooks/GitHub", "/hooks/github/",
  "/hooks//github", "/hooks/%00", "/hooks/%ff", "/hooks/%E2%80%AE", "/hooks?x=1&x=2", "/HOOKS", "/hooks/github/x",
  "/hooks/bitbucket", "/", "/healthz", "/metrics", "/readyz", "/hooks/..%2fgithub", "/hooks/" + "a".repeat(2000),
];

/** Values that break assumptions: wrong types, odd numbers, control characters, shell, deep nests. */
function oddValue(r: Random): unknown {
  switch (r.int(22)) {
    case 0: return r.int(1000) - 500;
    case 1: return Number.MAX_SAFE_INTEGER + 2;
    case 2: return -0;
    case 3: return 1.5;
    case 4: return "";
    case 5: return "x".repeat(r.between(1_000, 20_000));
    case 6: return "ü€😀\u0000\u202e\ud800";
    case 7: return null;
    case 8: return r.chance(0.5);
    case 9: return [];
    case 10: return [oddValue(r), oddValue(r)];
    case 11: return {};
    case 12: return nested(r.between(10, 200));
    case 13: return "refs/heads/../../etc/passwd";
    case 14: return "$(touch /tmp/pwned) `id` ; rm -rf /";
    case 15: return "--help";
    case 16: return "a=b";
    case 17: return `refs/heads/fuzz-${r.ascii(r.between(0, 20))}`;
    case 18: return `refs/tags/fuzz-${r.ascii(r.between(0, 20))}`;
    case 19: return "fuzz/" + r.ascii(r.between(0, 12));
    case 20: return { login: oddValue(r), full_name: oddValue(r), id: oddValue(r) };
    default: return r.ascii(r.between(0, 40));
  }
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** Random edits at random places of a parsed payload. */
function mutate(r: Random, root: Record<string, unknown>): void {
  const edits = r.between(1, 4);
  for (let e = 0; e < edits; e++) {
    let node: Record<string, unknown> | unknown[] = root;
    for (let depth = r.int(4); depth > 0; depth--) {
      const keys = Object.keys(node);
      if (keys.length === 0) break;
      const child = (node as Record<string, unknown>)[r.pick(keys)];
      if (child === null || typeof child !== "object") break;
      node = child as Record<string, unknown>;
    }
    if (Array.isArray(node)) {
      // Only items: a `constructor` key on an array would break this process's own array methods.
      const at = r.int(node.length + 1);
      if (r.chance(0.25)) node.splice(at, 1);
      else node[at] = oddValue(r);
      continue;
    }
    const keys = Object.keys(node);
    const key = keys.length > 0 && r.chance(0.8) ? r.pick(keys) : r.pick(["__proto__", "constructor", "prototype", "ref", "repository", "x"]);
    if (r.chance(0.25)) {
      delete node[key];
    } else {
      // defineProperty: `node.__proto__ = …` would set the prototype, not a key JSON.stringify writes.
      Object.defineProperty(node, key, { value: oddValue(r), enumerable: true, configurable: true, writable: true });
    }
  }
}

/** Points the payload at a configured repository (`fuzz/*`), so the routing stage sees it. */
function aimAtFuzzRepo(r: Random, root: Record<string, unknown>, forge: ForgeName): void {
  const name = `fuzz/${r.pick(["app", "x", "Ünïcode", "a b", "..", ""])}`;
  if (forge === "gitlab") {
    const project = (root.project ?? {}) as Record<string, unknown>;
    root.project = typeof project === "object" && project !== null ? { ...project, path_with_namespace: name } : { path_with_namespace: name };
  } else {
    const repository = root.repository;
    root.repository = typeof repository === "object" && repository !== null ? { ...repository, full_name: name } : { full_name: name };
  }
  if (r.chance(0.3)) root.ref = r.pick([`refs/heads/fuzz-${r.ascii(r.between(0, 8))}`, `refs/tags/fuzz-${r.ascii(4)}`, "refs/heads/fuzz-\u0000nul"]);
}

/** Edits on the text: what no JSON.stringify writes. */
function corruptText(r: Random, text: string): Buffer {
  switch (r.int(7)) {
    case 0: return Buffer.from(text.replace(/\d+(\.\d+)?/, r.pick(["1e400", "-1e400", "123456789012345678901234567890123", "-0", "1E-400", "0x10", "NaN", "Infinity"])));
    case 1: return Buffer.from(text.replace("{", `{"__proto__":{"polluted":true},`));
    case 2: return Buffer.from(text.replace("{", `{"constructor":{"prototype":{"polluted":true}},`));
    case 3: return Buffer.from(text.replace("{", `{"ref":"refs/heads/fuzz-dup","repository":{"full_name":"fuzz/dup"},`));
    case 4: return invalidUtf8(r, Buffer.from(text));
    case 5: return Buffer.from(text).subarray(0, r.int(text.length));
    default: return Buffer.from(text);
  }
}

const BAD_UTF8 = [[0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]];

function invalidUtf8(r: Random, bytes: Buffer): Buffer {
  const at = r.int(bytes.length + 1);
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(r.pick(BAD_UTF8)), bytes.subarray(at)]);
}

function forgeHeaders(forge: ForgeName, event: string, id: string): [string, string][] {
  switch (forge) {
    case "github":
      return [["x-github-event", event], ["x-github-delivery", id], ["user-agent", "GitHub-Hookshot/fuzz"]];
    case "gitea":
      return [["x-gitea-event", event], ["x-gitea-event-type", event], ["x-gitea-delivery", id], ["x-gogs-event", event], ["x-gogs-delivery", id], ["x-github-event", event], ["x-github-delivery", id]];
    case "forgejo":
      return [["x-forgejo-event", event], ["x-forgejo-delivery", id], ["x-gitea-event", event], ["x-gitea-delivery", id]];
    case "gogs":
      return [["x-gogs-event", event], ["x-gogs-delivery", id]];
    case "gitlab":
      return [["x-gitlab-event", event], ["idempotency-key", id], ["x-gitlab-event-uuid", id]];
  }
}

const SIGNATURE_HEADER: Record<ForgeName, string> = {
  github: "x-hub-signature-256", gitea: "x-gitea-signature", forgejo: "x-forgejo-signature", gogs: "x-gogs-signature", gitlab: "x-gitlab-token",
};

/** The signature as the forge makes it: GitHub over the raw body, Gitea's family over the JSON text, GitLab sends the token. */
function sign(forge: ForgeName, secret: string, body: Buffer, jsonText: Buffer): string {
  if (forge === "gitlab") return secret;
  if (forge === "github") return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return createHmac("sha256", secret).update(jsonText).digest("hex");
}

function asForm(json: Buffer): Buffer {
  return Buffer.from(`payload=${encodeURIComponent(json.toString("utf8"))}`);
}

export function generateCase(r: Random, index: number): FuzzCase {
  const deliveryId = `fz-${index}`;
  const base = r.pick(BASES);
  const roll = r.int(100);
  const start = (kind: string, forge: ForgeName = base.forge, event = base.event): FuzzCase => ({
    index, kind, method: "POST", path: r.chance(0.5) ? "/hooks" : `/hooks/${forge}`,
    headers: [["content-type", "application/json"], ...forgeHeaders(forge, event, deliveryId)],
    body: Buffer.from(base.json), signed: false, deliveryId,
  });
  const withSignature = (c: FuzzCase, forge: ForgeName, jsonText: Buffer): FuzzCase => {
    c.headers.push([SIGNATURE_HEADER[forge], sign(forge, SECRETS[forge], c.body, jsonText)]);
    c.signed = true;
    return c;
  };

  if (roll < 30) {
    // Valid signature over garbage: past verification, into normalisation and routing.
    const c = start("signed-garbage");
    const root = JSON.parse(base.json) as Record<string, unknown>;
    if (r.chance(0.6)) aimAtFuzzRepo(r, root, base.forge);
    mutate(r, root);
    let json = r.chance(0.3) ? corruptText(r, JSON.stringify(root)) : Buffer.from(JSON.stringify(root));
    if (r.chance(0.05)) json = Buffer.from(r.pick(["[]", "null", "42", "\"x\"", "true", "{}", " ", ""]));
    const form = r.chance(0.2);
    c.body = form ? asForm(json) : json;
    if (form) c.headers[0] = ["content-type", "application/x-www-form-urlencoded"];
    return withSignature(c, base.forge, json);
  }
  if (roll < 36) {
    const c = start("random-body");
    c.body = r.bytes(r.between(0, 4096));
    if (r.chance(0.5)) withSignature(c, base.forge, c.body);
    return c;
  }
  if (roll < 42) {
    const c = start("truncated");
    c.body = Buffer.from(base.json).subarray(0, r.int(base.json.length));
    if (r.chance(0.7)) withSignature(c, base.forge, c.body);
    return c;
  }
  if (roll < 48) {
    const c = start("content-type");
    const type = r.pick(CONTENT_TYPES);
    if (r.chance(0.1)) c.headers.shift();
    else c.headers[0] = ["content-type", type];
    if (r.chance(0.5)) withSignature(c, base.forge, c.body);
    return c;
  }
  if (roll < 58) return badSignature(r, start("signature"), base);
  if (roll < 60) {
    const c = start("huge-header");
    if (r.chance(0.5)) c.headers.push(["x-padding", "p".repeat(r.between(17_000, 40_000))]);
    else for (let i = 0; i < 200; i++) c.headers.push([`x-pad-${i}`, "p".repeat(100)]);
    c.nodeAnswers = [431];
    return c;
  }
  if (roll < 65) {
    const c = start("invalid-utf8");
    c.body = invalidUtf8(r, Buffer.from(base.json));
    if (r.chance(0.7)) withSignature(c, base.forge, c.body);
    return c;
  }
  if (roll < 70) {
    const c = start("wrong-shape");
    const shapes = [
      () => "[]", () => "null", () => "7", () => '"push"', () => JSON.stringify({ ref: "refs/heads/main" }),
      () => JSON.stringify({ repository: "fuzz/x", ref: 5 }), () => JSON.stringify({ repository: [], project: 1 }),
      () => JSON.stringify({ repository: { full_name: 12 }, ref: ["refs/heads/main"] }),
      () => JSON.stringify({ repository: { full_name: "fuzz/x" }, ref: "refs/heads/fuzz-a", after: 1e21, commits: {} }),
      () => JSON.stringify({ repository: { full_name: "fuzz/x" }, action: "opened", number: "7", pull_request: [] }),
    ];
    const json = Buffer.from(r.pick(shapes)());
    c.body = json;
    if (r.chance(0.7)) withSignature(c, base.forge, json);
    return c;
  }
  if (roll < 72) {
    const c = start("deep-nesting");
    const depth = 10_000;
    const inner = r.chance(0.5) ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    const where = r.pick(["", "head_commit", "commits", "repository", "x"]);
    const json = Buffer.from(where === "" ? inner : `{"ref":"refs/heads/fuzz-deep","repository":{"full_name":"fuzz/deep"},"${where}":${inner}}`);
    c.body = json;
    if (r.chance(0.8)) withSignature(c, base.forge, json);
    return c;
  }
  if (roll < 80) {
    // Every forge's headers at once, values from anywhere; signed for one of them, or none.
    const c = start("mixed-forges");
    c.path = r.chance(0.7) ? "/hooks" : `/hooks/${r.pick(FORGES)}`;
    for (const forge of FORGES) {
      if (r.chance(0.7)) c.headers.push(...forgeHeaders(forge, r.pick(EVENT_NAMES), r.chance(0.9) ? deliveryId : ""));
    }
    const signer = r.pick(FORGES);
    if (r.chance(0.6)) withSignature(c, signer, c.body);
    else c.headers.push([SIGNATURE_HEADER[signer], r.ascii(64)]);
    return c;
  }
  if (roll < 86) {
    const c = start("path-method");
    c.path = r.pick(PATHS);
    c.method = r.pick(["POST", "POST", "POST", "GET", "PUT", "DELETE", "PATCH", "OPTIONS"]);
    if (r.chance(0.5)) withSignature(c, base.forge, c.body);
    return c;
  }
  if (roll < 90) {
    const c = start("content-encoding");
    const encoding = r.pick(["gzip", "deflate", "br", "identity", "bogus", "gzip, gzip", "GZIP", ""]);
    c.headers.push(["content-encoding", encoding]);
    if (r.chance(0.3) && encoding === "gzip") {
      withSignature(c, base.forge, c.body);
      c.body = gzipSync(c.body);
    } else if (r.chance(0.5)) {
      c.body = r.bytes(r.between(0, 512));
    }
    return c;
  }
  if (roll < 95) {
    const c = start("form");
    c.headers[0] = ["content-type", "application/x-www-form-urlencoded"];
    c.body = Buffer.from(r.pick([
      () => `payload=${r.ascii(r.between(0, 200))}`, () => "payload=%ZZ%", () => "payload[]=1&payload[]=2",
      () => "payload=1&payload=2", () => "=&&==&", () => "__proto__=x&constructor[prototype][x]=1",
      () => Array.from({ length: 3_000 }, (_, i) => `k${i}=${i}`).join("&"), () => `payload=${encodeURIComponent("[1,2]")}`,
      () => `payload=${encodeURIComponent(base.json)}&payload=${encodeURIComponent(base.json)}`, () => "",
    ])());
    if (r.chance(0.5)) withSignature(c, base.forge, c.body);
    return c;
  }
  return malformedHttp(r, start("malformed-http"));
}

function badSignature(r: Random, c: FuzzCase, base: Base): FuzzCase {
  const header = SIGNATURE_HEADER[base.forge];
  const good = sign(base.forge, SECRETS[base.forge], c.body, c.body);
  const variants: (() => string | string[] | undefined)[] = [
    () => undefined,
    () => "",
    () => "   ",
    () => sign(base.forge, "not-the-secret", c.body, c.body),
    () => good.slice(0, -1) + (good.endsWith("0") ? "1" : "0"),
    () => good.slice(0, good.length - r.between(1, 20)),
    () => `sha1=${good.replace(/^sha256=/, "")}`,
    () => `sha512=${good.replace(/^sha256=/, "")}`,
    () => "sha256=" + "z".repeat(64),
    () => "x".repeat(8_000),
    () => [good, good],
    () => [good, sign(base.forge, "other", c.body, c.body)],
    () => [sign(base.forge, "other", c.body, c.body), good],
    () => `${good} `.repeat(2),
    () => sign(base.forge, SECRETS[base.forge], Buffer.from(`${c.body.toString("utf8")} `), Buffer.from(`${c.body.toString("utf8")} `)),
  ];
  const value = r.pick(variants)();
  if (value !== undefined) c.headers.push([header, value]);
  // A valid signature in another forge's header is no signature for this one.
  if (r.chance(0.2)) {
    const other = r.pick(FORGES.filter((forge) => forge !== base.forge));
    c.headers.push([SIGNATURE_HEADER[other], sign(other, SECRETS[other], c.body, c.body)]);
  }
  return c;
}

/** Requests Node's HTTP parser must refuse itself (400) before the app sees them. */
function malformedHttp(r: Random, c: FuzzCase): FuzzCase {
  const body = c.body.subarray(0, 64);
  const heads = [
    () => Buffer.from("GARBAGE\r\n\r\n"),
    () => Buffer.from(`POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`),
    () => Buffer.from("POST /hooks HTTP/1.1\r\nHost: x\r\nX-Bad\x01: y\r\nContent-Length: 0\r\n\r\n"),
    () => Buffer.from("POST /hooks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
    () => Buffer.from("POST /hooks HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: push\r\n folded: yes\r\nContent-Length: 0\r\n\r\n"),
    () => Buffer.from("POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
    () => Buffer.from("POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"),
    () => Buffer.from("POST /ho\x00oks HTTP/1.1\r\nHost: x\r\n\r\n"),
    () => Buffer.from("POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
    () => Buffer.concat([Buffer.from("POST /hooks HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: push\n\rContent-Length: 64\r\n\r\n"), body]),
    () => Buffer.concat([r.bytes(r.between(1, 200)), Buffer.from("\r\n\r\n")]),
    () => Buffer.from("POST /hooks HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: p\u00ffsh\r\nContent-Length: 0\r\n\r\n\u00ff\u00ff\r\n\r\n", "latin1"),
  ];
  c.raw = r.pick(heads)();
  c.nodeAnswers = [400];
  return c;
}
