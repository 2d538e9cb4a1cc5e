-- wrk script: POSTs a signed GitHub push, each request a push of its own: one push builds once
-- (docs/how-it-works.md, "One push, one build"; a push is its repository, ref and before → after),
-- so the same body under many delivery ids would build once and be answered `duplicate` after.
-- Each request gets a new head commit: every occurrence of the body's `after` sha (`after`,
-- `head_commit.id`, the last commit's id, the compare URL) becomes a fresh 40-hex sha, and the
-- body is signed again, HMAC-SHA256 over its exact bytes, with OpenSSL's libcrypto (which wrk links
-- for TLS) through LuaJIT's FFI: a few µs a request (bench/request-cost.lua measures it).
-- A new `after` rather than a new `before`: a real stream of pushes brings a new head each time;
-- many `before`s of one head are force-pushes back to it, all kept as builds of that head.
--   BENCH_BODY       file with the payload
--   BENCH_SECRET     the webhook secret it is signed with
--   BENCH_RUN        names the run: it goes into the delivery ids and the shas, so that no request
--                    is a copy of another run's (a warm-up and its run share a service)
--   BENCH_LIMIT      optional: a thread stops sending after this many answers of its own, and
--                    creates the file BENCH_DONE_FILE (wrk itself runs on until -d or SIGINT:
--                    bench/load.ts sends SIGINT when it sees the file)
-- done() prints one JSON line that bench/load.ts reads.

local ffi = require("ffi")
local bit = require("bit")

ffi.cdef [[
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_sha256(void);
unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len,
                    const unsigned char *data, size_t data_len,
                    unsigned char *md, unsigned int *md_len);
]]

-- wrk is linked against libcrypto, so its symbols are already loaded; a wrk built without TLS
-- would need the library opened by name.
local function libcrypto()
  if pcall(function() return ffi.C.HMAC end) then return ffi.C end
  local ok, lib = pcall(ffi.load, "libcrypto.so.3")
  if ok then return lib end
  return ffi.load("crypto")
end
local crypto = libcrypto()
local sha256 = crypto.EVP_sha256()

local digest = ffi.new("unsigned char[32]")
local hex_out = ffi.new("char[64]")
local HEX_DIGITS = "0123456789abcdef"
local hex_pairs = ffi.new("char[512]")
for byte = 0, 255 do
  local high, low = math.floor(byte / 16), byte % 16
  hex_pairs[byte * 2] = HEX_DIGITS:byte(high + 1)
  hex_pairs[byte * 2 + 1] = HEX_DIGITS:byte(low + 1)
end

-- HMAC-SHA256 of `data` (a string, or a buffer of `length` bytes) under `key`, as 64 lowercase hex
-- digits.
local function hmac_hex(key, data, length)
  assert(crypto.HMAC(sha256, key, #key, data, length or #data, digest, nil) ~= nil, "HMAC failed")
  for i = 0, 31 do
    local at = digest[i] * 2
    hex_out[i * 2] = hex_pairs[at]
    hex_out[i * 2 + 1] = hex_pairs[at + 1]
  end
  return ffi.string(hex_out, 64)
end

local body_file = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
local template = body_file:read("*a")
body_file:close()
local secret = assert(os.getenv("BENCH_SECRET"), "BENCH_SECRET is not set")
local run = os.getenv("BENCH_RUN") or "run"
local limit = tonumber(os.getenv("BENCH_LIMIT") or "")
local done_file = os.getenv("BENCH_DONE_FILE")

-- The body in a buffer of its own, and where its head sha is: a request writes its own sha over
-- those places and signs the buffer, so that only the finished body becomes a Lua string.
local head = assert(template:match('"after"%s*:%s*"(%x+)"'), "the body has no \"after\" sha")
assert(#head == 40, "the body's \"after\" is not a 40-hex sha")
local body_length = #template
local body_buffer = ffi.new("unsigned char[?]", body_length)
ffi.copy(body_buffer, template, body_length)
local head_offsets = {}
do
  local from = 1
  while true do
    local at = template:find(head, from, true)
    if not at then break end
    head_offsets[#head_offsets + 1] = at - 1
    from = at + #head
  end
end

-- 24 hex digits that name the run (a hash of its name), then the thread and the request's number.
local run_tag = hmac_hex("bench-run", run):sub(1, 24)

-- The body with `sha` (40 hex digits) as its head, and its X-Hub-Signature-256.
local function signed_body(sha)
  for i = 1, #head_offsets do ffi.copy(body_buffer + head_offsets[i], sha, 40) end
  return ffi.string(body_buffer, body_length), "sha256=" .. hmac_hex(secret, body_buffer, body_length)
end

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
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["User-Agent"] = "GitHub-Hookshot/044aadd"
  wrk.headers["X-GitHub-Event"] = "push"
  wrk.headers["X-GitHub-Hook-ID"] = "292430182"
end

function request()
  counter = counter + 1
  local sha = run_tag .. bit.tohex(thread_id, 8) .. bit.tohex(counter, 8)
  local body, signature = signed_body(sha)
  wrk.headers["X-GitHub-Delivery"] = run .. "-" .. thread_id .. "-" .. counter
  wrk.headers["X-Hub-Signature-256"] = signature
  return wrk.format(nil, nil, nil, body)
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
