-- What bench/github-push.lua costs wrk a request, in the LuaJIT that wrk runs: its request()
-- (a fresh head sha, the body rebuilt, signed with HMAC-SHA256, formatted) against the same
-- request with a fixed body and signature (all that the script did before each request became a
-- push of its own). Prints µs of CPU a request of each and exits before any request is sent; wrk
-- still checks that it can connect to the URL first, so give it any server listening on loopback:
--   BENCH_BODY=test/fixtures/payloads/github/push-5.json BENCH_SECRET=topsecret \
--     wrk -t1 -c1 -d1s -s bench/request-cost.lua http://127.0.0.1:PORT/
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "github-push.lua")

local push_init = init
local ROUNDS = tonumber(os.getenv("BENCH_COST_ROUNDS") or "") or 100000

local function per_request_us(make)
  make() -- compiled before it is timed
  local started = os.clock()
  for _ = 1, ROUNDS do make() end
  return (os.clock() - started) / ROUNDS * 1e6
end

function init(args)
  push_init(args)
  local fixed_body = assert(io.open(os.getenv("BENCH_BODY"), "rb")):read("*a")
  local fixed = 0
  local function fixed_request()
    fixed = fixed + 1
    wrk.headers["X-GitHub-Delivery"] = "run-0-" .. fixed
    wrk.headers["X-Hub-Signature-256"] = "sha256=0000000000000000000000000000000000000000000000000000000000000000"
    return wrk.format(nil, nil, nil, fixed_body)
  end
  local each = per_request_us(request)
  local before = per_request_us(fixed_request)
  io.stderr:write(string.format(
    "github-push.lua request(): %.2f µs a request; the same body each time: %.2f µs; the push of its own costs %.2f µs (%d requests, CPU time)\n",
    each, before, each - before, ROUNDS))
  os.exit(0)
end
