-- wrk script: POSTs the same signed GitHub push, each with its own X-GitHub-Delivery id (a
-- repeated id is a duplicate that laminar-hooks answers without queueing anything).
--   BENCH_BODY       file with the payload
--   BENCH_SIGNATURE  its X-Hub-Signature-256
--   BENCH_RUN        prefix of the delivery ids, unique per run
--   BENCH_LIMIT      optional: stop sending after this many answers, and create the file
--                    BENCH_DONE_FILE (wrk itself runs on until -d or SIGINT: bench/load.ts
--                    sends SIGINT when it sees the file)
-- done() prints one JSON line that bench/wrk.ts reads.

local body_file = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
local body = body_file:read("*a")
body_file:close()
local signature = os.getenv("BENCH_SIGNATURE")
local run = os.getenv("BENCH_RUN") or "run"
local limit = tonumber(os.getenv("BENCH_LIMIT") or "")
local done_file = os.getenv("BENCH_DONE_FILE")

local threads = {}
local next_id = 0
function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

counter = 0
answered = 0
ok = 0
function init(args)
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["User-Agent"] = "GitHub-Hookshot/044aadd"
  wrk.headers["X-GitHub-Event"] = "push"
  wrk.headers["X-GitHub-Hook-ID"] = "292430182"
  wrk.headers["X-Hub-Signature-256"] = signature
end

function request()
  counter = counter + 1
  wrk.headers["X-GitHub-Delivery"] = run .. "-" .. thread_id .. "-" .. counter
  return wrk.format()
end

function response(status, headers, body)
  answered = answered + 1
  if status >= 200 and status < 300 then ok = ok + 1 end
  if limit and answered == limit then
    if done_file then
      local marker = io.open(done_file, "w")
      if marker then marker:close() end
    end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local sent, acked = 0, 0
  for _, thread in ipairs(threads) do
    sent = sent + (thread:get("counter") or 0)
    acked = acked + (thread:get("ok") or 0)
  end
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"acked":%d,"sent":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"non2xx":%d,"timeouts":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%.1f}\n',
    summary.requests, summary.duration, acked, sent, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
