// The deliveries page in a real browser (chromium through playwright-core), through the running
// service with real signed deliveries, the fake laminarc queueing on the fake laminard whose runs
// the service follows, and commit statuses posted to the fake GitHub API: the "nothing yet" advice
// works as written, the list shows what came with each run's state and status, a filter narrows it
// without JavaScript, a row opens its detail, which reads as `show` prints it, a run links to
// Laminar's page, payload and forge markup stays text, and the page asks no other origin for
// anything. Screenshots at a desktop's and a phone's width.

import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { showCommand } from "../../src/cli/show.ts";
import type { StatusPostRecord } from "../../src/journal/status-outbox.ts";
import { startFakeGitHubApi, type FakeGitHubApi } from "../fixtures/fake-github-api.ts";
import { waitFor } from "../fixtures/fake-laminar-dir.ts";
import { FakeLaminard } from "../fixtures/fake-laminard.ts";
import { launchBrowser, noBrowser, recordingContext } from "../support/browser.ts";
import { payload } from "../support/payloads.ts";
import { runCli } from "../support/run-cli.ts";
import { githubSignature } from "../support/sign.ts";
import { githubHeaders, startTestService, type TestService } from "../support/test-service.ts";

const TOKEN = "ghp-ui-test-4f1c2b7d9e0a";
const config = (api: string) => `
forges:
  github: { secret: topsecret, token: { env: GH_TOKEN }, api: "${api}" }
repositories:
  - repo: Codertocat/Hello-World
    jobs:
      - { job: hello, events: [push], branches: [master, "feature/*", "<*"] }
      - { job: hello-docs, events: [push], branches: [docs] }
      - { job: hello-release, events: [tag], tags: ["v*"] }
  - repo: acme/app
    jobs:
      - { job: app, events: [push] }
      - { job: app-deploy, events: [push], branches: [master] }
`;

// The committed screenshots are rewritten only when asked (they change with every run's times).
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1"
  ? fileURLToPath(new URL("../../docs/screenshots/", import.meta.url))
  : mkdtempSync(join(tmpdir(), "lh-screenshots-"));
const XSS_BRANCH = `<script>document.title='pwned'</script><img/src=x/onerror=alert(1)>`;
const XSS_ANSWER = `No commit found <img src=x onerror=alert(2)><script>document.title='pwned'</script>`;
const FINAL_POSTS: ReadonlySet<StatusPostRecord["status"]> = new Set(["posted", "refused", "failed", "skipped"]);

/** push-5.json (GitHub's own example) moved to another repository, ref and commit, then signed. */
function push(fields: { repo?: string; ref?: string; after?: string }): Buffer {
  const document = JSON.parse(payload("github/push-5.json").toString("utf8")) as {
    ref: string; after: string; repository: { full_name: string; name: string };
  };
  if (fields.repo) {
    document.repository.full_name = fields.repo;
    document.repository.name = fields.repo.split("/")[1]!;
  }
  if (fields.ref) document.ref = fields.ref;
  if (fields.after) document.after = fields.after;
  return Buffer.from(JSON.stringify(document));
}

describe("the deliveries page in a browser", { skip: noBrowser }, () => {
  let svc: TestService;
  let browser: Browser;
  let laminar: Server;
  let laminarUrl: string;
  let laminard: FakeLaminard;
  let api: FakeGitHubApi;
  const ids = new Map<string, number>();

  function posts(name: string): StatusPostRecord[] {
    return svc.service.journal.statusOutbox.postsOfDelivery(ids.get(name)!);
  }

  /** Every post of these deliveries answered, the last of each dispatch telling its run's result. */
  function statusesSettled(names: readonly string[]): boolean {
    return names.every((name) => {
      const sent = posts(name);
      const last = new Map(sent.map((post) => [post.dispatchId, post]));
      return sent.length > 0 && sent.every((post) => FINAL_POSTS.has(post.status))
        && [...last.values()].every((post) => post.state !== "pending");
    });
  }

  async function deliver(name: string, fields: Parameters<typeof push>[0]): Promise<void> {
    const body = push(fields);
    const answer = await svc.post("/hooks", body, githubHeaders("push", name, githubSignature("topsecret", body)));
    assert.ok(answer.status === 200 || answer.status === 202, answer.body.message);
    ids.set(name, answer.body.id as number);
  }

  /** A page in a fresh recording context; every request it made is checked to stay on the service's origin. */
  async function open(path: string, options: Parameters<typeof recordingContext>[1] = {}) {
    const recording = await recordingContext(browser, { viewport: { width: 1280, height: 800 }, ...options });
    const page = await recording.context.newPage();
    // Runs in the page's main world through the DevTools protocol, which the page's CSP does not govern.
    await page.addInitScript("window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));");
    const response = await page.goto(`${svc.url}${path}`);
    assert.equal(response?.status(), 200);
    return { page, ...recording };
  }

  async function checkStayedHome(page: Page, requests: readonly string[]): Promise<void> {
    const origin = new URL(svc.url).origin;
    assert.ok(requests.length >= 2, "the page and its stylesheet at least");
    assert.deepEqual(requests.filter((url) => new URL(url).origin !== origin), [], "no request to another origin");
    assert.ok(requests.some((url) => url.endsWith("/ui/style.css")));
    assert.deepEqual(await page.evaluate("window.__violations"), [], "nothing the Content-Security-Policy had to block");
  }

  /** The routing trace's lines on a delivery's page, each cut at its job's name. */
  async function traceOf(name: string): Promise<string[]> {
    const { page, context } = await open(`/ui/deliveries/${ids.get(name)}`);
    const lines = await page.locator("ul.trace li").allInnerTexts();
    await context.close();
    return lines.map((line) => line.slice(0, line.indexOf(":")));
  }

  before(async () => {
    // Laminar's web UI, as far as the links need it: /jobs/JOB/N.
    laminar = createServer((request, response) => {
      response.setHeader("content-type", "text/html");
      response.end(`<title>Laminar ${request.url}</title><h1>Laminar run ${request.url}</h1>`);
    }).listen(0, "127.0.0.1");
    await once(laminar, "listening");
    laminarUrl = `http://127.0.0.1:${(laminar.address() as { port: number }).port}`;
    // app-deploy is not a job in this Laminar: its dispatches fail for good, with laminarc's message.
    const jobs = ["hello", "hello-docs", "hello-release", "app"];
    laminard = await FakeLaminard.start({ keepAliveMs: 100, autoRun: "success", jobs });
    api = await startFakeGitHubApi({ token: TOKEN });
    svc = await startTestService({
      config: config(api.url),
      laminar: `  base_url: ${laminarUrl}\n  http: ${laminard.url}\n`,
      env: { FAKE_LAMINARD: laminard.controlUrl, GH_TOKEN: TOKEN },
      follow: { backoff: { delayMs: 40, maxDelayMs: 300 }, recheckMs: 100 },
    });
    svc.fake.setJobs(jobs);
    browser = await launchBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    laminar?.close();
    await svc?.stop();
    await laminard?.close();
    await api?.close();
    if (process.env.UPDATE_SCREENSHOTS !== "1") rmSync(SCREENSHOTS, { recursive: true, force: true });
  });

  test("an empty journal says how to send a test delivery, and the command given works", async () => {
    const { page, context, requests } = await open("/ui/");
    assert.equal(await page.locator("h2").first().textContent(), "Nothing yet");
    const command = (await page.locator(".empty pre").textContent()) ?? "";
    assert.match(command, /^laminar-hooks send --url http:\/\/127\.0\.0\.1:\d+\/hooks --forge github --repo Codertocat\/Hello-World --branch master --config \S+$/);
    await checkStayedHome(page, requests);
    await context.close();

    // The config names the token by its environment variable, which the CLI resolves like the service.
    const sent = await runCli(command.split(" ").slice(1), { ...svc.fake.env, GH_TOKEN: TOKEN });
    assert.equal(sent.code, 0, sent.stdout + sent.stderr);
    assert.match(sent.stdout, /^202 /);
    // Its run settles before the next deliveries queue theirs, so laminard numbers them in order.
    await waitFor(() => svc.service.journal.listDeliveries({ limit: 1 })[0]?.status === "done", 10_000, "the sent delivery's run");
  });

  test("the list shows each delivery newest first, with its commit, jobs, runs and failures", async () => {
    await deliver("push-master", { after: "3f2c1a9d0b7e4c5a6f8e9d0c1b2a39485766aa01" });
    await deliver("push-docs", { ref: "refs/heads/docs", after: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678" });
    await deliver("tag-v1", { ref: "refs/tags/v1.0.0", after: "0123456789abcdef0123456789abcdef01234567" });
    await deliver("app-master", { repo: "acme/app", after: "fedcba9876543210fedcba9876543210fedcba98" });
    await deliver("app-ignored", { repo: "acme/app", ref: "refs/tags/nightly", after: "1111111111111111111111111111111111111111" });
    await waitFor(() => ["push-master", "push-docs", "tag-v1", "app-master"]
      .every((name) => ["done", "failed"].includes(svc.service.journal.getDelivery(name)?.status ?? "")), 10_000, "every job settled");
    await waitFor(() => statusesSettled(["push-master", "tag-v1", "app-master"]), 10_000, "every status posted");

    const { page, context, requests } = await open("/ui/");
    const rows = page.locator("table.deliveries tbody tr");
    assert.equal(await rows.count(), 6, "five deliveries and the one `send` made");
    const texts = await rows.allInnerTexts();
    assert.match(texts[0]!, /acme\/app[\s\S]*nightly[\s\S]*ignored[\s\S]*no job matched|acme\/app[\s\S]*nightly[\s\S]*ignored/);
    assert.match(texts[1]!, /acme\/app[\s\S]*master[\s\S]*fedcba9[\s\S]*failed[\s\S]*app:1[\s\S]*app-deploy[\s\S]*failed[\s\S]*Failed to queue job 'app-deploy'/);
    assert.match(texts[2]!, /Codertocat\/Hello-World[\s\S]*v1\.0\.0[\s\S]*0123456[\s\S]*done[\s\S]*hello-release:1/);
    assert.match(texts[4]!, /master[\s\S]*3f2c1a9[\s\S]*done[\s\S]*hello:2 success in [\d.]+m?s\s+laminar\/hello success/);
    // Each followed run's state is a coloured badge, and the forge's latest status stands under it.
    assert.equal(await page.evaluate("getComputedStyle(document.querySelector('tbody tr:nth-child(5) ul.jobs .chip.success')).color"), "rgb(26, 127, 55)");
    assert.match(texts[1]!, /app:1 success[\s\S]*laminar\/app success/);
    // A failure is red: its words carry the error class the stylesheet colours.
    const failure = rows.nth(1).locator("span.error.small");
    assert.match((await failure.textContent()) ?? "", /Failed to queue job 'app-deploy'/);
    assert.equal(await page.evaluate("getComputedStyle(document.querySelector('tbody tr:nth-child(2) .error')).color"), "rgb(207, 34, 46)");
    // Each run links to Laminar's page of it.
    assert.equal(await rows.nth(4).locator("a.run").getAttribute("href"), `${laminarUrl}/jobs/hello/2`);
    await checkStayedHome(page, requests);
    await page.screenshot({ path: join(SCREENSHOTS, "list-desktop.png"), fullPage: true });
    await context.close();
  });

  test("the filters narrow the list through a plain GET form, with JavaScript off", async () => {
    const { page, context, requests } = await open("/ui/", { javaScriptEnabled: false });
    await page.selectOption("select[name=repo]", "acme/app");
    await Promise.all([page.waitForURL(/repo=acme%2Fapp/), page.click("button[type=submit]")]);
    const rows = page.locator("table.deliveries tbody tr");
    assert.equal(await rows.count(), 2);
    for (const text of await rows.allInnerTexts()) assert.match(text, /acme\/app/);

    await page.selectOption("select[name=status]", "failed");
    await Promise.all([page.waitForURL(/status=failed/), page.click("button[type=submit]")]);
    assert.equal(await rows.count(), 1);
    assert.match((await rows.first().innerText()), /app-deploy/);
    assert.equal(await page.locator("select[name=status]").inputValue(), "failed", "the form says what is shown");

    await page.selectOption("select[name=repo]", "Codertocat/Hello-World");
    await Promise.all([page.waitForURL(/repo=Codertocat/), page.click("button[type=submit]")]);
    assert.match(await page.locator("main").innerText(), /No delivery matches these filters/);
    await checkStayedHome(page, requests);
    await context.close();
  });

  test("paging walks older and back to the newest without JavaScript", async () => {
    const { page, context } = await open("/ui/?limit=4", { javaScriptEnabled: false });
    const rows = page.locator("table.deliveries tbody tr");
    const links = async () => Promise.all((await page.locator("td.time a").all()).map((link) => link.getAttribute("href")));
    const first = await links();
    assert.equal(first.length, 4);
    await Promise.all([page.waitForURL(/before=/), page.click("text=older ›")]);
    assert.equal(await rows.count(), 2);
    assert.equal(await page.locator("text=older ›").count(), 0, "the last page has no older link");
    await Promise.all([page.waitForURL(/after=/), page.click("text=‹ newer")]);
    assert.deepEqual(await links(), first);
    await context.close();
  });

  test("a row opens its delivery, which reads as `show` prints it: trace, dispatches, attempts", async () => {
    const { page, context, requests } = await open("/ui/?repo=acme%2Fapp&status=failed");
    await Promise.all([page.waitForURL(/\/ui\/deliveries\/\d+$/), page.locator("table.deliveries tbody tr td.time a").first().click()]);
    assert.equal(page.url(), `${svc.url}/ui/deliveries/${ids.get("app-master")}`);
    const shown: string[] = [];
    showCommand(svc.service.config(), "app-master", { json: false }, { out: (text) => shown.push(...text.split("\n")), err: () => {}, env: {} });
    const lines = shown.map((line) => line.trim());

    // The routing trace: each of `show`'s lines, matched jobs first.
    const routing = lines.slice(lines.indexOf("routing:") + 1, lines.findIndex((line) => line.startsWith("dispatch ")));
    const trace = await page.locator("ul.trace li").allInnerTexts();
    assert.deepEqual(trace, [...routing].sort((a, b) => Number(b.startsWith("✓")) - Number(a.startsWith("✓"))));
    assert.deepEqual(trace, ["✓ app: every branch matches (no filter)", "✓ app-deploy: branch \"master\" matches \"master\""]);
    assert.deepEqual(await traceOf("push-docs"), ["✓ hello-docs", "✗ hello", "✗ hello-release"], "matched jobs first");
    // Every attempt line, the command and LAMINAR_REASON, as `show` has them.
    const text = await page.locator("main").innerText();
    for (const line of lines.filter((line) => /^(attempt at|laminarc queue|LAMINAR_REASON=)/.test(line))) {
      assert.ok(text.includes(line), `the page has \`${line}\``);
    }
    // Each run with its times, and each status posted with the forge's answer, as `show` has them.
    const runLines = lines.filter((line) => line.startsWith("run "));
    assert.equal(runLines.length, 1, "app ran once; app-deploy never ran");
    const run = /^run (\S+) (\S+): (.+ UTC(?: \(\S+\))?) (\S+)$/.exec(runLines[0]!);
    assert.ok(run, runLines[0]);
    const runItem = page.locator("section.dispatch ul.runs li");
    assert.match(await runItem.innerText(), new RegExp(`^${run[1]} ${run[2]}.*${run[3]!.replace(/[()]/g, "\\$&")}$`));
    assert.equal(await runItem.locator("a.run").getAttribute("href"), run[4]);
    const statusLines = lines.filter((line) => /^status \S+ "/.test(line));
    assert.ok(statusLines.length >= 3, "app queued and its result, app-deploy's error");
    const statusRows = await page.locator("table.statuses tr").allInnerTexts();
    assert.equal(statusRows.length, statusLines.length);
    statusLines.forEach((line, index) => {
      const [, state, context, posted, answer, description] = /^status (\S+) "([^"]+)" on \S+: (\w+)(?:, (.*))? \((.*)\)$/.exec(line)!;
      const row = statusRows[index]!.replace(/\s+/g, " ");
      assert.ok(row.startsWith(`${context} ${state} ${posted}`), `${row} | ${line}`);
      assert.ok(row.includes(description!) && row.includes(answer ?? ""), `${row} | ${line}`);
    });
    // The failed job is red and says why, in laminarc's words.
    const failed = page.locator("section.dispatch.failed");
    assert.equal(await failed.count(), 1);
    assert.match(await failed.locator("p.failure").innerText(), /^Failed: .*Failed to queue job 'app-deploy'/);
    assert.match(await failed.locator("ol.attempts li.failed").innerText(), /stderr|Failed to queue job 'app-deploy'/);
    assert.match(await page.locator("table.headers").innerText(), /x-github-event\s+push/);
    assert.doesNotMatch(text, /signature|topsecret/i, "no signature header, no secret");
    await checkStayedHome(page, requests);
    await page.screenshot({ path: join(SCREENSHOTS, "detail-desktop.png"), fullPage: true });
    await context.close();
  });

  test("a run's link goes to Laminar's page of it: {base_url}/jobs/JOB/N", async () => {
    const { page, context } = await open(`/ui/deliveries/${ids.get("push-master")}`);
    await Promise.all([page.waitForURL(`${laminarUrl}/jobs/hello/2`), page.click("a.run")]);
    assert.equal(await page.locator("h1").textContent(), "Laminar run /jobs/hello/2");
    await context.close();
  });

  test("at a phone's width, in dark mode, both pages fit the screen", async () => {
    for (const [name, path] of [["list", "/ui/"], ["detail", `/ui/deliveries/${ids.get("app-master")}`]] as const) {
      const { page, context, requests } = await open(path, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, colorScheme: "dark" });
      // Not window.innerWidth: a phone widens its layout viewport to content that does not fit.
      assert.ok(await page.evaluate("document.documentElement.scrollWidth") as number <= 390, `${name}: no sideways scrolling`);
      assert.equal(await page.evaluate("getComputedStyle(document.body).backgroundColor"), "rgb(13, 17, 23)", `${name}: dark colours`);
      await checkStayedHome(page, requests);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
      await context.close();
    }
    for (const name of ["list-desktop", "detail-desktop", "list-phone", "detail-phone"]) {
      const png = readFileSync(join(SCREENSHOTS, `${name}.png`));
      assert.equal(png.subarray(1, 4).toString("latin1"), "PNG", name);
    }
  });

  test("a branch named with markup shows as text and runs nothing", async () => {
    await deliver("xss", { ref: `refs/heads/${XSS_BRANCH}` });
    const dialogs: string[] = [];
    for (const path of ["/ui/", `/ui/deliveries/${ids.get("xss")}`]) {
      const { page, context, requests } = await open(path);
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      assert.ok((await page.locator("main").innerText()).includes(XSS_BRANCH), `${path} shows the branch name as written`);
      assert.equal(await page.locator("script").count(), 0);
      assert.equal(await page.locator("main img").count(), 0);
      assert.notEqual(await page.title(), "pwned");
      await checkStayedHome(page, requests);
      assert.ok(!requests.some((url) => url.endsWith("/x")), "the markup's image was never fetched");
      await context.close();
    }
    assert.deepEqual(dialogs, []);
  });

  test("a queued run and a status the forge refused, its answer holding markup: red, as text, on the list and the detail page", async () => {
    // The scripted answer goes to the next request: every earlier run done and its posts answered first.
    await waitFor(() => {
      const listed = svc.service.journal.listDeliveries({ limit: 1000 });
      const runs = [...svc.service.journal.runsOf(listed.flatMap((item) => item.jobs.map((job) => job.id))).values()].flat();
      return runs.every((run) => run.state === "success")
        && listed.every((item) => svc.service.journal.statusOutbox.postsOfDelivery(item.id).every((post) => FINAL_POSTS.has(post.status)));
    }, 10_000, "earlier runs done and their posts answered");
    laminard.autoRun = undefined;
    api.script({ status: 422, body: { message: XSS_ANSWER, documentation_url: "https://docs.github.com/rest" } });
    await deliver("refused", { ref: "refs/heads/feature/statuses", after: "abababababababababababababababababababab" });
    const refused = await waitFor(() => posts("refused").find((post) => post.status === "refused"), 10_000, "the refused post");
    assert.equal(refused.answerMessage, XSS_ANSWER);
    const dispatchId = svc.service.journal.getDelivery("refused")!.dispatches[0]!.id;
    const [run] = svc.service.journal.runsOf([dispatchId]).get(dispatchId) ?? [];
    assert.equal(run?.state, "queued");

    const dialogs: string[] = [];
    const list = await open("/ui/?repo=Codertocat%2FHello-World");
    list.page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const row = list.page.locator("table.deliveries tbody tr").first();
    assert.match(await row.innerText(), new RegExp(`feature/statuses[\\s\\S]*hello:${run.number} queued\\s+laminar/hello pending refused 422 ${XSS_ANSWER.replace(/[()]/g, "\\$&")}`));
    assert.equal(await row.locator(".status-post span.error").innerText(), `422 ${XSS_ANSWER}`);
    assert.equal(await list.page.evaluate("getComputedStyle(document.querySelector('.status-post span.error')).color"), "rgb(207, 34, 46)", "the refusal is red");
    assert.equal(await list.page.locator("main img, script").count(), 0);
    await checkStayedHome(list.page, list.requests);
    await list.context.close();

    const detail = await open(`/ui/deliveries/${ids.get("refused")}`);
    detail.page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    assert.match(await detail.page.locator("ul.runs li").innerText(), new RegExp(`^hello:${run.number} queued queued \\d{4}-\\d\\d-\\d\\d [\\d:]+ UTC$`));
    const answer = detail.page.locator("table.statuses tr.refused .answer");
    assert.equal(await answer.innerText(), `422 ${XSS_ANSWER}`);
    assert.equal(await detail.page.evaluate("getComputedStyle(document.querySelector('tr.refused .answer')).color"), "rgb(207, 34, 46)");
    assert.equal(await detail.page.locator("main img, script").count(), 0);
    assert.notEqual(await detail.page.title(), "pwned");
    await checkStayedHome(detail.page, detail.requests);
    assert.ok(!detail.requests.some((url) => url.endsWith("/x")), "the answer's image was never fetched");
    await detail.context.close();
    assert.deepEqual(dialogs, []);
    assert.deepEqual(api.problems, [], "every request the fake GitHub API took was one GitHub would take");
  });
});
