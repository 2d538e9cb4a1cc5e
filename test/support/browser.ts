// A real browser for the page's tests: Debian's chromium (.ci/run installs it), driven by
// playwright-core through its executablePath. Nothing here downloads a browser.

import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Why browser tests cannot run here, or false. On CI a missing chromium is a failure, not a skip. */
export const noBrowser: string | false = !existsSync(CHROMIUM) && process.env.CI !== "true"
  ? "chromium is not installed (apt-get install chromium)"
  : false;

// No network of its own (updates, sync, field trials): every request the page makes is one the
// page asked for, which is what the tests record.
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, timeout: 30_000 });
}

/** A fresh context that records the URL of every request its pages make, and every console message. */
export async function recordingContext(browser: Browser, options: BrowserContextOptions = {}): Promise<{
  context: BrowserContext;
  requests: string[];
  console: string[];
}> {
  const context = await browser.newContext(options);
  const requests: string[] = [];
  const console: string[] = [];
  context.on("request", (request) => requests.push(request.url()));
  context.on("console", (message) => console.push(`${message.type()}: ${message.text()}`));
  return { context, requests, console };
}
