// The frame every page of /ui/ shares. Links are relative (`root` is the way back to /ui/), so the
// page also works when a proxy serves it under another prefix.

import { formatTime } from "./format-time.ts";
import { formatAgo } from "./format.ts";
import { html, type Html } from "./html.ts";

interface PageFrame {
  title: string;
  /** The relative way from this page to /ui/: `./` or `../`. */
  root: string;
  body: Html;
}

export function layout(frame: PageFrame): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="same-origin">
<title>${frame.title} · laminar-hooks</title>
<link rel="icon" href="${frame.root}icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${frame.root}style.css">
</head>
<body>
<header class="top"><a class="brand" href="${frame.root}">laminar-hooks</a><span class="where">deliveries</span></header>
<main>
${frame.body}
</main>
</body>
</html>
`.toString();
}

/** A status as a coloured word; the class names match the stylesheet's. */
export function chip(word: string, label: string = word): Html {
  return html`<span class="chip ${word}">${label}</span>`;
}

/** The UTC time the CLI prints, and how long ago it was. */
export function when(ms: number, now: number): Html {
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${formatTime(ms)} UTC</time> <span class="muted">${formatAgo(ms, now)}</span>`;
}
