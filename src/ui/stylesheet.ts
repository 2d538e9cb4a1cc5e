// The page's own stylesheet and icon, served from /ui/ (the Content-Security-Policy allows nothing
// from another origin, and no inline style). System fonts only; colours follow the browser's
// light or dark preference; under 720px wide the list's rows become cards.

import { createHash } from "node:crypto";

export const STYLESHEET = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa; --link: #0969da;
  --ok: #1a7f37; --ok-bg: #dafbe1; --bad: #cf222e; --bad-bg: #ffebe9; --wait: #9a6700; --wait-bg: #fff8c5;
  --off: #59636e; --off-bg: #eff2f5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23; --link: #4493f8;
    --ok: #3fb950; --ok-bg: #12261e; --bad: #f85149; --bad-bg: #2d1214; --wait: #d29922; --wait-bg: #272115;
    --off: #9198a1; --off-bg: #212830;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
}
a { color: var(--link); text-decoration: none; }
a:hover, a:focus-visible { text-decoration: underline; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 13px; }
header.top {
  display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap;
  padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); background: var(--panel);
}
header.top .brand { font-weight: 600; color: var(--fg); }
header.top .where { color: var(--muted); }
main { padding: 1rem 1.25rem 3rem; max-width: 1200px; margin: 0 auto; }
h1 { font-size: 1.35rem; margin: .25rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 1.75rem 0 .6rem; }
h3 { font-size: 1rem; margin: 0; }
.muted { color: var(--muted); }
.small { font-size: 13px; }

form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin-bottom: 1rem; }
form.filters label { display: flex; flex-direction: column; gap: .2rem; font-size: 13px; color: var(--muted); }
select, button, input {
  font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line);
  border-radius: 6px; padding: .35rem .6rem; min-height: 2.1rem;
}
button { background: var(--panel); cursor: pointer; }
input { min-width: 12rem; }
form.build { padding: .6rem .8rem; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: .4rem 0; }
.actions form { margin: 0; }
button.abort { color: var(--bad); }
ul.page-actions { padding-left: 1.2rem; }

table.deliveries { width: 100%; border-collapse: collapse; }
table.deliveries th {
  text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .03em;
  color: var(--muted); border-bottom: 1px solid var(--line); padding: .4rem .5rem;
}
table.deliveries td { border-bottom: 1px solid var(--line); padding: .5rem; vertical-align: top; overflow-wrap: break-word; }
table.deliveries td.nowrap { white-space: nowrap; }
table.deliveries tr:hover td { background: var(--panel); }
td.time a { font-weight: 600; }
td.time .muted { display: block; font-size: 12px; }
ul.jobs { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: .2rem; }
.error { color: var(--bad); }

.chip {
  display: inline-block; border-radius: 999px; padding: 0 .55rem; font-size: 12px; font-weight: 600;
  line-height: 1.5rem; white-space: nowrap; background: var(--off-bg); color: var(--off);
}
.chip.done, .chip.success, .chip.posted { background: var(--ok-bg); color: var(--ok); }
.chip.failed, .chip.error, .chip.lost, .chip.refused, .chip.failure { background: var(--bad-bg); color: var(--bad); }
.chip.queued, .chip.pending, .chip.sending, .chip.running, .chip.waiting { background: var(--wait-bg); color: var(--wait); }
.chip.poll, .chip.redelivered { border: 1px solid var(--wait); background: none; color: var(--wait); }
.status-post { margin-top: .15rem; overflow-wrap: anywhere; }
ul.runs { list-style: none; padding: 0; margin: .3rem 0 .5rem; }
ul.runs li { margin-bottom: .25rem; overflow-wrap: anywhere; }
table.statuses tr.refused td:first-child { color: var(--bad); }

nav.pages { display: flex; gap: 1rem; margin-top: 1rem; }
.empty { border: 1px dashed var(--line); border-radius: 8px; padding: 1.25rem; background: var(--panel); }
.empty pre { white-space: pre-wrap; }

dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }

ul.trace { list-style: none; padding: 0; margin: 0; }
ul.trace li { padding: .3rem .5rem; border-left: 3px solid var(--line); margin-bottom: .25rem; overflow-wrap: anywhere; }
ul.trace li.matched { border-color: var(--ok); }
ul.trace li.unmatched { color: var(--muted); }

section.dispatch { border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin-bottom: 1rem; }
section.dispatch.failed { border-color: var(--bad); }
section.dispatch header { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-bottom: .5rem; }
p.failure { color: var(--bad); background: var(--bad-bg); border-radius: 6px; padding: .4rem .6rem; margin: .5rem 0; overflow-wrap: anywhere; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .5rem .6rem; margin: .3rem 0; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
ol.attempts { padding-left: 1.25rem; margin: .5rem 0 0; }
ol.attempts li { margin-bottom: .4rem; }
ol.attempts li.failed > .line { color: var(--bad); }
table.kv { border-collapse: collapse; width: 100%; }
table.kv td { border-bottom: 1px solid var(--line); padding: .25rem .5rem; vertical-align: top; overflow-wrap: anywhere; }
table.kv td:first-child { color: var(--muted); width: 30%; }

@media (max-width: 720px) {
  main { padding: .75rem .75rem 2rem; }
  table.deliveries thead { display: none; }
  table.deliveries, table.deliveries tbody, table.deliveries tr, table.deliveries td { display: block; width: 100%; }
  table.deliveries tr { border: 1px solid var(--line); border-radius: 8px; margin-bottom: .75rem; padding: .25rem .5rem; }
  table.deliveries td {
    border: 0; padding: .2rem 0; display: grid; grid-template-columns: 6.5rem minmax(0, 1fr); gap: .5rem;
    justify-items: start; white-space: normal; overflow-wrap: anywhere;
  }
  table.deliveries td.nowrap { white-space: normal; }
  table.deliveries td::before { content: attr(data-label); color: var(--muted); font-size: 12px; text-transform: uppercase; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: .4rem; }
  table.kv td:first-child { width: 40%; }
}
`;

/** The icon browsers ask for; served here so that they do not ask for /favicon.ico. */
export const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#1a7f37"/><path d="M4.5 8.5l2.2 2.2 4.8-5" stroke="#fff" stroke-width="1.8" fill="none"/></svg>`;

/** A fingerprint for ETags: the assets change only with the code. */
export const ASSET_TAG = `"${createHash("sha256").update(STYLESHEET).update(ICON).digest("base64url").slice(0, 16)}"`;
