// Acting from the deliveries page in a real browser (chromium through playwright-core), through the
// running service with the fake laminarc and laminard (whose runs the test starts and ends) and the
// fake GitHub API: without ui.auth the page only looks; with it, Rebuild makes a new dispatch that is
// followed and reported, Build queues a branch a person picked with `event=manual`, Abort stops a
// running run and a queued one when it starts; each shows on the page and in `show`. A form posted
// from a page of another origin (another port of the same host), one without credentials or with a
// wrong token builds nothing; a form posted twice at once builds once. Screenshots for the README.

import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { deliveriesCommand } from "../../src/cli/deliveries.ts";
import { showCommand } from "../../src/cli/show.ts";
import { startFakeGitHubApi, type FakeGitHubApi } from "../fixtures/fake-github-api.ts";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";
import { createGitKit, type GitKit, type GitRemote } from "../catch-up/git-kit.ts";
import { launchBrowser, noBrowser, recordingContext } from "../support/browser.ts";
import { payload } from "../support/payloads.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, startTestService, type TestService } from "../support/test-service.ts";

const TOKEN = "ghp-actions-test-7c1d2e";
const PASSWORD = "pa55-actions-word";
const AUTH = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString("base64")}`;
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1"
  ? fileURLToPath(new URL("../../docs/screenshots/", import.meta.url))
  : mkdtempSync(join(tmpdir(), "lh-action-shots-"));

const config = (api: string, remote: string, ui: string) => `
forges:
  github: { secret: topsecret, token: { env: GH_TOKEN }, api: "${api}" }
catch_up: { interval: 0 }
${ui}
repositories:
  - repo: Codertocat/Hello-World
    forge: github
    poll: "${remote}"
    jobs:
      - { job: hello, events: [push], branches: [master] }
  - repo: acme/app
    forge: github
    jobs:
      - { job: app, events: [push], branches: [master], supersede: queued }
      - { job: app-live, events: [push], branches: [live], supersede: running }
  - repo: acme/lib
    forge: github
    jobs:
      - { job: lib, events: [push], branches: [master], params: { url: "{{ clone_url }}" } }
`;
const WITH_AUTH = `ui: { auth: { user: admin, password: "${PASSWORD}" } }`;

function push(name: string, after: string, repo = "Codertocat/Hello-World", branch = "master"): Buffer {
  const document = JSON.parse(payload("github/push-5.json").toString("utf8")) as {
    ref: string; after: string; repository: { full_name: string; name: string };
  };
  document.after = after;
  document.repository.full_name = repo;
  document.repository.name = repo.split("/")[1]!;
  return Buffer.from(JSON.stringify({ ...document, ref: `refs/heads/${branch}`, name }));
}

describe("acting from the deliveries page", { skip: noBrowser }, () => {
  let svc: TestService;
  let browser: Browser;
  let laminard: FakeLaminard;
  let api: FakeGitHubApi;
  let kit: GitKit;
  let remote: GitRemote;
  const ids = new Map<string, number>();

  const journal = () => svc.service.journal;
  const dispatchesOf = (name: string) => journal().getDelivery(ids.get(name)!)!.dispatches;
  const allDispatches = () => journal().listDeliveries({ limit: 1000 }).flatMap((item) => item.jobs);
  const latestRun = (dispatchId: number) => journal().runsOf([dispatchId]).get(dispatchId)?.at(-1);

  async function deliver(name: string, after: string, repo?: string, branch?: string): Promise<number> {
    const body = push(name, after, repo, branch);
    const answer = await svc.post("/hooks", body, githubHeaders("push", name, githubSignature("topsecret", body)));
    assert.equal(answer.status, 202, answer.body.message);
    ids.set(name, answer.body.id as number);
    const [dispatch] = dispatchesOf(name);
    return (await waitFor(() => latestRun(dispatch!.id), 10_000, `${name}'s run queued`)).number;
  }

  async function open(path: string, credentials = true): Promise<{ page: Page; close: () => Promise<void>; requests: string[] }> {
    const { context, requests } = await recordingContext(browser, {
      viewport: { width: 1280, height: 800 },
      ...(credentials ? { httpCredentials: { username: "admin", password: PASSWORD } } : {}),
    });
    const page = await context.newPage();
    const response = await page.goto(`${svc.url}${path}`);
    assert.equal(response?.status(), 200);
    return { page, close: () => context.close(), requests };
  }

  /** The hidden fields of a form on the page, as the browser would post them. */
  async function fieldsOf(page: Page, form: string): Promise<Record<string, string>> {
    const inputs = await page.locator(`${form} input[type=hidden]`).all();
    const fields: Record<string, string> = {};
    for (const input of inputs) fields[(await input.getAttribute("name"))!] = (await input.getAttribute("value"))!;
    return fields;
  }

  function postForm(path: string, fields: Record<string, string>, headers: Record<string, string>): Promise<Response> {
    return fetch(`${svc.url}${path}`, {
      method: "POST", redirect: "manual", body: new URLSearchParams(fields).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });
  }

  function shown(name: string): string {
    const lines: string[] = [];
    showCommand(svc.service.config(), String(ids.get(name)), { json: false }, { out: (text) => lines.push(text), err: () => {}, env: {} });
    return lines.join("\n");
  }

  before(async () => {
    kit = createGitKit();
    remote = kit.remote("hello");
    remote.commit("first");
    remote.git("push", "--quiet", "origin", "main:master");
    remote.git("checkout", "--quiet", "-b", "feature/x");
    remote.commit("on a branch the job's filter leaves out");
    remote.git("push", "--quiet", "origin", "feature/x");
    laminard = await FakeLaminard.start({ keepAliveMs: 100 });
    api = await startFakeGitHubApi({ token: TOKEN });
    svc = await startTestService({
      config: config(api.url, remote.url, ""),
      laminar: `  http: ${laminard.url}\n`,
      env: { ...kit.env, FAKE_LAMINARD: laminard.controlUrl, GH_TOKEN: TOKEN },
      follow: { backoff: { delayMs: 40, maxDelayMs: 300 }, recheckMs: 100 },
    });
    browser = await launchBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await svc?.stop();
    await laminard?.close();
    await api?.close();
    kit?.remove();
    if (process.env.UPDATE_SCREENSHOTS !== "1") rmSync(SCREENSHOTS, { recursive: true, force: true });
  });

  test("without ui.auth the page only looks, says how to act, and refuses a post: nothing is built", async () => {
    const number = await deliver("first", "3f2c1a9d0b7e4c5a6f8e9d0c1b2a39485766aa01");
    laminard.completeRun("hello", number, "success");
    const { page, close } = await open(`/ui/deliveries/${ids.get("first")}`, false);
    assert.equal(await page.locator("form[method=post]").count(), 0, "no action form");
    assert.match(await page.locator("p.actions-off").innerText(), /need a signed-in user: set ui\.auth/);
    await close();
    const before = allDispatches().length;
    const answer = await postForm("/ui/actions/rebuild", { dispatch: String(dispatchesOf("first")[0]!.id), token: "x", once: "a".repeat(22) },
      { "sec-fetch-site": "same-origin" });
    assert.equal(answer.status, 403);
    assert.match(await answer.text(), /set ui\.auth/);
    assert.equal(allDispatches().length, before);

    svc.writeConfig(config(api.url, remote.url, WITH_AUTH));
    assert.deepEqual(svc.service.reload(), { ok: true });
  });

  test("no credentials: 401; a wrong token, a missing Sec-Fetch-Site and Origin: 403; none builds", async () => {
    const before = allDispatches().length;
    const dispatch = String(dispatchesOf("first")[0]!.id);
    const form = { dispatch, token: "not-the-token", once: "b".repeat(22) };
    assert.equal((await postForm("/ui/actions/rebuild", form, { "sec-fetch-site": "same-origin" })).status, 401);
    const wrong = await postForm("/ui/actions/rebuild", form, { "sec-fetch-site": "same-origin", authorization: AUTH });
    assert.equal(wrong.status, 403);
    assert.match(await wrong.text(), /token is not valid/);
    // The right token, but nothing says where the post came from.
    const { page, close } = await open(`/ui/deliveries/${ids.get("first")}`);
    const fields = await fieldsOf(page, "form[action$='actions/rebuild']");
    await close();
    const unsaid = await postForm("/ui/actions/rebuild", fields, { authorization: AUTH });
    assert.equal(unsaid.status, 403);
    assert.match(await unsaid.text(), /did not say where this form came from/);
    assert.equal(allDispatches().length, before);
  });

  test("Rebuild queues the job again with the same parameters, followed, reported and listed on the page and by show", async () => {
    const [original] = dispatchesOf("first");
    const { page, close } = await open(`/ui/deliveries/${ids.get("first")}`);
    await Promise.all([page.waitForURL(/\/ui\/deliveries\/\d+#dispatch-\d+$/), page.click(`#dispatch-${original!.id} button.rebuild`)]);
    const dispatches = dispatchesOf("first");
    assert.equal(dispatches.length, 2);
    const rebuilt = dispatches[1]!;
    assert.deepEqual(rebuilt.params, original!.params, "the same parameters");
    assert.equal(rebuilt.reason, `Rebuild of delivery ${ids.get("first")} by admin`);
    const run = await waitFor(() => latestRun(rebuilt.id), 10_000, "the rebuild's run");
    assert.equal(laminard.run("hello", run.number)?.reason, `${rebuilt.reason} [dispatch ${rebuilt.id}, try 1]`, "LAMINAR_REASON says who asked");
    laminard.completeRun("hello", run.number, "success");
    await waitFor(() => api.statuses.find((status) => status.description === `Laminar run #${run.number} passed` || status.description?.startsWith(`Laminar run #${run.number} passed`)),
      10_000, "the rebuild's status on the forge");

    await page.reload();
    assert.match(await page.locator(`#dispatch-${rebuilt.id} .made-by`).innerText(), /^Rebuild asked by admin/);
    const listed = await page.locator("ul.page-actions li").allInnerTexts();
    assert.equal(listed.length, 1);
    assert.match(listed[0]!, new RegExp(`admin from 127\\.0\\.0\\.1: rebuild of hello \\(dispatch ${original!.id}\\) → dispatch ${rebuilt.id} \\(queued\\)`));
    assert.match(await page.locator(`#dispatch-${rebuilt.id} ul.runs`).innerText(), new RegExp(`hello:${run.number} success`));
    await page.screenshot({ path: join(SCREENSHOTS, "actions-detail-desktop.png"), fullPage: true });
    await close();
    assert.match(shown("first"), new RegExp(`actions:\\n  .* UTC admin from 127\\.0\\.0\\.1: rebuild of hello \\(dispatch ${original!.id}\\) → dispatch ${rebuilt.id}`));
  });

  test("the same form posted twice at once (a double click) builds once", async () => {
    const [original] = dispatchesOf("first");
    const { page, close } = await open(`/ui/deliveries/${ids.get("first")}`);
    const fields = await fieldsOf(page, `#dispatch-${original!.id} form[action$='actions/rebuild']`);
    const before = dispatchesOf("first").length;
    const headers = { authorization: AUTH, "sec-fetch-site": "same-origin", origin: "null" };
    const answers = await Promise.all([postForm("/ui/actions/rebuild", fields, headers), postForm("/ui/actions/rebuild", fields, headers)]);
    assert.deepEqual(answers.map((answer) => answer.status), [303, 303], "both go back to the delivery's page");
    assert.equal(dispatchesOf("first").length, before + 1, "one build");
    // And in the browser: a double click on another Rebuild form.
    const next = await open(`/ui/deliveries/${ids.get("first")}`);
    const posts: string[] = [];
    const answered: number[] = [];
    const cutShort: string[] = [];
    next.page.on("request", (request) => {
      if (request.method() === "POST") posts.push(request.url());
    });
    next.page.on("response", (response) => {
      if (response.request().method() === "POST") answered.push(response.status());
    });
    // The second click's post may abort the first one's navigation before its answer comes: the
    // browser then reports it failed, whatever the service did with it.
    next.page.on("requestfailed", (request) => {
      if (request.method() === "POST") cutShort.push(request.failure()?.errorText ?? "failed");
    });
    // Wait for the posts to settle, not for the page.
    await next.page.dblclick(`#dispatch-${original!.id} button.rebuild`);
    await waitFor(() => posts.length >= 1 && answered.length >= 1 && answered.length + cutShort.length === posts.length, 10_000, "every post answered or cut short by the next");
    assert.ok(answered.every((status) => status === 303), answered.join(", "));
    // A post cut short may have been taken (and answered to no one): the build is counted once the service has made it.
    await waitFor(() => dispatchesOf("first").length >= before + 2 || undefined, 10_000, "the double click's build");
    assert.equal(dispatchesOf("first").length, before + 2, `one more build for ${posts.length} post(s) (${answered.length} answered, ${cutShort.length} cut short)`);
    await next.close();
    await close();
    for (const dispatch of dispatchesOf("first").slice(before)) {
      const run = await waitFor(() => latestRun(dispatch.id), 10_000, "its run");
      laminard.completeRun("hello", run.number, "success");
    }
  });

  test("a form on a page of another origin (another port of this host) is refused, even with the right token", async () => {
    const [original] = dispatchesOf("first");
    const { page, close } = await open(`/ui/deliveries/${ids.get("first")}`);
    const fields = await fieldsOf(page, `#dispatch-${original!.id} form[action$='actions/rebuild']`);
    await close();
    const inputs = Object.entries(fields).map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`).join("");
    const other: Server = createServer((_request, response) => {
      response.setHeader("content-type", "text/html");
      response.end(`<title>elsewhere</title><form method="post" action="${svc.url}/ui/actions/rebuild">${inputs}<button>win a prize</button></form>`);
    }).listen(0, "127.0.0.1");
    await once(other, "listening");
    try {
      const before = allDispatches().length;
      const { context } = await recordingContext(browser, { httpCredentials: { username: "admin", password: PASSWORD } });
      const elsewhere = await context.newPage();
      await elsewhere.goto(`http://127.0.0.1:${(other.address() as { port: number }).port}/`);
      const [response] = await Promise.all([
        elsewhere.waitForResponse((answer) => answer.url().endsWith("/ui/actions/rebuild")),
        elsewhere.click("button"),
      ]);
      assert.equal(response.status(), 403);
      assert.match(await response.text(), /Sec-Fetch-Site: same-site/);
      await context.close();
      assert.equal(allDispatches().length, before, "nothing built");
    } finally {
      other.close();
    }
  });

  test("Abort stops a running run at once", async () => {
    const number = await deliver("running", "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678");
    const [dispatch] = dispatchesOf("running");
    laminard.startRun("hello", number);
    await waitFor(() => latestRun(dispatch!.id)?.state === "running", 10_000, "the run running");
    const { page, close } = await open(`/ui/deliveries/${ids.get("running")}`);
    const button = page.locator(`#dispatch-${dispatch!.id} button.abort`);
    assert.equal(await button.innerText(), `Abort hello:${number}`);
    await Promise.all([page.waitForURL(/#dispatch-/), button.click()]);
    await waitFor(() => latestRun(dispatch!.id)?.state === "aborted", 10_000, "the run aborted");
    assert.equal(laminard.run("hello", number)?.result, "aborted");
    await waitFor(() => journal().actions.abortOf(dispatch!.id)?.state === "sent", 10_000, "laminarc abort's answer recorded");
    await page.reload();
    assert.match(await page.locator(`#dispatch-${dispatch!.id} .abort-note`).innerText(), /abort asked; laminarc abort sent/);
    assert.match(await page.locator("ul.page-actions").innerText(), new RegExp(`admin from 127\\.0\\.0\\.1: abort of hello:${number} \\(laminarc abort hello:${number}: aborted\\)`));
    assert.equal(await page.locator(`#dispatch-${dispatch!.id} button.abort`).count(), 0, "nothing left to abort");
    await close();
    assert.match(shown("running"), /abort: abort asked; laminarc abort sent/);
  });

  test("Abort of a queued run says it waits, and aborts the run the moment it starts", async () => {
    const number = await deliver("queued", "0123456789abcdef0123456789abcdef01234567");
    const [dispatch] = dispatchesOf("queued");
    const { page, close } = await open(`/ui/deliveries/${ids.get("queued")}`);
    const button = page.locator(`#dispatch-${dispatch!.id} button.abort`);
    assert.equal(await button.innerText(), "Abort as soon as it starts");
    await Promise.all([page.waitForURL(/#dispatch-/), button.click()]);
    assert.match(await page.locator(`#dispatch-${dispatch!.id} .abort-note`).innerText(), /abort asked; it is aborted as soon as it starts/);
    assert.equal(laminard.run("hello", number)?.result, "queued", "Laminar cannot drop a queued run");
    laminard.startRun("hello", number);
    await waitFor(() => laminard.run("hello", number)?.result === "aborted", 10_000, "the run aborted as it started");
    await waitFor(() => latestRun(dispatch!.id)?.state === "aborted", 10_000, "the journal's run aborted");
    await waitFor(() => journal().actions.abortOf(dispatch!.id)?.state === "sent", 10_000, "laminarc abort's answer recorded");
    await page.reload();
    assert.match(await page.locator(`#dispatch-${dispatch!.id} .abort-note`).innerText(), /laminarc abort sent/);
    await close();
  });

  test("Build a branch the job's filter leaves out: resolved with git ls-remote, queued with event=manual, listed", async () => {
    const { page, close } = await open("/ui/");
    assert.deepEqual(await page.locator("form.build select[name=target] option").allInnerTexts(), ["Codertocat/Hello-World · hello", "acme/app · app", "acme/app · app-live", "acme/lib · lib"]);
    await page.fill("form.build input[name=ref]", "feature/x");
    await page.screenshot({ path: join(SCREENSHOTS, "actions-list-desktop.png"), fullPage: true });
    await Promise.all([page.waitForURL(/\/ui\/deliveries\/\d+#dispatch-\d+$/), page.click("form.build button")]);
    const id = Number(/deliveries\/(\d+)/.exec(page.url())![1]);
    const delivery = journal().getDelivery(id)!;
    assert.equal(delivery.forgeEvent, "manual");
    const [dispatch] = delivery.dispatches;
    const sha = remote.rev("feature/x");
    assert.equal(dispatch!.params.rev, sha);
    assert.equal(dispatch!.params.branch, "feature/x");
    assert.equal(dispatch!.params.event, "manual");
    assert.equal(dispatch!.params.sender, "admin");
    assert.equal(dispatch!.reason, `Manual build of Codertocat/Hello-World feature/x (${sha.slice(0, 7)}) by admin`);
    const run = await waitFor(() => latestRun(dispatch!.id), 10_000, "the manual build's run");
    assert.ok(laminard.run("hello", run.number)?.params.includes("event=manual"));
    assert.match(await page.locator("ul.page-actions").innerText(), /admin from 127\.0\.0\.1: build of hello at refs\/heads\/feature\/x/);
    await page.goto(`${svc.url}/ui/`);
    assert.match(await page.locator("table.deliveries tbody tr").first().innerText(), /manual[\s\S]*feature\/x[\s\S]*hello:/);
    // `deliveries` lists it like any delivery; its run is followed and reported on its commit.
    const listed: string[] = [];
    await deliveriesCommand(svc.service.config(), { limit: 1, json: false }, { out: (text) => listed.push(text), err: () => {}, env: {} });
    assert.match(listed.join("\n"), new RegExp(`github +manual +Codertocat/Hello-World +feature/x .*hello:${run.number}`));
    laminard.completeRun("hello", run.number, "success");
    await waitFor(() => api.statuses.find((status) => status.sha === sha && status.state === "success"), 10_000, "the manual build's status");
    // A ref the remote does not have: a clear answer, nothing built.
    const before = allDispatches().length;
    await page.fill("form.build input[name=ref]", "no-such-branch");
    const [response] = await Promise.all([page.waitForResponse((answer) => answer.url().endsWith("/ui/actions/build")), page.click("form.build button")]);
    assert.equal(response.status(), 404);
    assert.match(await page.locator("p.failure").innerText(), /has no branch or tag no-such-branch/);
    assert.equal(await page.evaluate("getComputedStyle(document.body).margin"), "0px", "the refusal is styled: its stylesheet is found from /ui/actions/");
    assert.equal(allDispatches().length, before);
    await close();
  });

  test("Build of a repository with no poll: and no delivery yet: its head from the GitHub API, queued with event=manual", async () => {
    const sha = "9d1c0b3a2f4e5d6c7b8a99887766554433221100";
    api.refs.setBranch("acme/lib", "release/2", sha);
    const { page, close } = await open("/ui/");
    await page.selectOption("form.build select[name=target]", { label: "acme/lib · lib" });
    await page.fill("form.build input[name=ref]", "release/2");
    const from = api.requests.length;
    await Promise.all([page.waitForURL(/\/ui\/deliveries\/\d+#dispatch-\d+$/), page.click("form.build button")]);
    assert.deepEqual(api.requests.slice(from).map((request) => request.rawPath).sort(), ["/repos/acme/lib/git/ref/heads/release/2", "/repos/acme/lib/git/ref/tags/release/2"]);
    const delivery = journal().getDelivery(Number(/deliveries\/(\d+)/.exec(page.url())![1]))!;
    assert.equal(delivery.forgeEvent, "manual");
    const [dispatch] = delivery.dispatches;
    assert.equal(dispatch!.params.rev, sha);
    assert.equal(dispatch!.params.branch, "release/2");
    assert.equal(dispatch!.params.event, "manual");
    assert.equal(dispatch!.params.url, `${api.url}/acme/lib.git`, "the clone URL a push would give, from the API root");
    const run = await waitFor(() => latestRun(dispatch!.id), 10_000, "the manual build's run");
    assert.ok(laminard.run("lib", run.number)?.params.includes(`rev=${sha}`));
    assert.ok(laminard.run("lib", run.number)?.params.includes("event=manual"));
    // A branch GitHub does not have: 404, said on the page, nothing built.
    const before = allDispatches().length;
    await page.goto(`${svc.url}/ui/`);
    await page.selectOption("form.build select[name=target]", { label: "acme/lib · lib" });
    await page.fill("form.build input[name=ref]", "no-such-branch");
    const [response] = await Promise.all([page.waitForResponse((answer) => answer.url().endsWith("/ui/actions/build")), page.click("form.build button")]);
    assert.equal(response.status(), 404, await page.locator("p.failure").innerText());
    assert.match(await page.locator("p.failure").innerText(), /GitHub has no branch or tag no-such-branch of acme\/lib, or forges\.github\.token cannot see the repository/);
    assert.equal(allDispatches().length, before);
    assert.deepEqual(api.problems, []);
    laminard.completeRun("lib", run.number, "success");
    await close();
  });

  test("supersede: queued: three quick pushes of a branch build the last; the older runs are aborted as they start, marked on the forge, the page and in show", async () => {
    const shas = ["1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222", "3333333333333333333333333333333333333333"];
    const numbers: number[] = [];
    for (const [index, sha] of shas.entries()) numbers.push(await deliver(`quick-${index}`, sha, "acme/app"));
    const dispatches = [0, 1, 2].map((index) => dispatchesOf(`quick-${index}`)[0]!);
    await waitFor(() => journal().actions.abortOf(dispatches[0]!.id) && journal().actions.abortOf(dispatches[1]!.id), 10_000, "the older two marked");
    assert.equal(journal().actions.abortOf(dispatches[2]!.id), undefined, "the newest is not");
    // Laminar starts them in order, one after the other.
    for (const [index, number] of numbers.entries()) {
      laminard.startRun("app", number);
      if (index < 2) await waitFor(() => laminard.run("app", number)?.result === "aborted", 10_000, `app:${number} aborted as it started`);
    }
    laminard.completeRun("app", numbers[2]!, "success");
    const lastStatus = (sha: string) => api.statuses.filter((status) => status.sha === sha).at(-1);
    await waitFor(() => lastStatus(shas[2]!)?.state === "success", 10_000, "the newest push's status");
    for (const index of [0, 1]) {
      const by = journal().actions.abortOf(dispatches[index]!.id)!.supersededBy!;
      assert.ok(by === shas[index + 1] || by === shas[2], by);
      const status = await waitFor(() => lastStatus(shas[index]!)?.state === "error" && lastStatus(shas[index]!), 10_000, `push ${index}'s status`);
      assert.match(status.description ?? "", new RegExp(`^Superseded by ${by.slice(0, 7)}: Laminar run #${numbers[index]} was aborted( after [\\d.]+m?s)?$`));
      assert.match(shown(`quick-${index}`), new RegExp(`abort: superseded by ${by.slice(0, 7)}; laminarc abort sent`));
    }
    assert.deepEqual(numbers.map((number) => laminard.run("app", number)?.result), ["aborted", "aborted", "success"]);
    const { page, close } = await open(`/ui/deliveries/${ids.get("quick-0")}`);
    assert.match(await page.locator(".abort-note").innerText(), /^superseded by \w{7}; laminarc abort sent$/);
    await close();
  });

  test("supersede: running: a newer push of the branch aborts the older run while it runs", async () => {
    const first = await deliver("live-1", "4444444444444444444444444444444444444444", "acme/app", "live");
    const [older] = dispatchesOf("live-1");
    laminard.startRun("app-live", first);
    await waitFor(() => latestRun(older!.id)?.state === "running", 10_000, "the older run running");
    const second = await deliver("live-2", "5555555555555555555555555555555555555555", "acme/app", "live");
    await waitFor(() => laminard.run("app-live", first)?.result === "aborted", 10_000, "the running run aborted by the newer push");
    assert.equal(laminard.run("app-live", second)?.result, "queued", "the newer one builds");
    laminard.completeRun("app-live", second, "success");
    await waitFor(() => api.statuses.filter((status) => status.sha === "4444444444444444444444444444444444444444").at(-1)?.description?.startsWith("Superseded by 5555555"),
      10_000, "the older push's status says so");
  });

  test("at a phone's width the forms fit the screen, and the pages still run no script", async () => {
    for (const path of ["/ui/", `/ui/deliveries/${ids.get("queued")}`, `/ui/deliveries/${ids.get("first")}`]) {
      const { context } = await recordingContext(browser, {
        viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, colorScheme: "dark",
        httpCredentials: { username: "admin", password: PASSWORD },
      });
      const page = await context.newPage();
      await page.goto(`${svc.url}${path}`);
      assert.ok(await page.locator("form[method=post]").count() > 0, `${path} has its forms`);
      assert.ok(await page.evaluate("document.documentElement.scrollWidth") as number <= 390, `${path}: no sideways scrolling`);
      assert.equal(await page.locator("script").count(), 0);
      await context.close();
    }
  });
});
