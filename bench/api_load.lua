-- wrk script for bench/api_load.py: rotate over a list of paths, authenticate, report as JSON.
--
--   API_LOAD_PATHS=paths.txt API_LOAD_TOKEN=fd_... wrk -t2 -c8 -d10s --latency -s bench/api_load.lua http://127.0.0.1:8000
--
-- Each wrk thread loads this script in its own Lua state: each reads the paths and starts at a
-- random place in the list, so that the threads do not ask for the same path at the same time.
-- done() runs once, at the end, and prints one line: "API_LOAD_JSON {...}" (times in microseconds).

local paths = {}
local index = 0

function init(args)
  local name = os.getenv("API_LOAD_PATHS")
  local file = assert(io.open(name, "r"), "cannot read API_LOAD_PATHS " .. tostring(name))
  for line in file:lines() do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  file:close()
  assert(#paths > 0, "no paths in " .. name)
  local address = tonumber(tostring({}):match("0x(%x+)") or "0", 16) or 0
  math.randomseed(os.time() + address % 1000003)
  index = math.random(#paths) - 1
  wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("API_LOAD_TOKEN"), "API_LOAD_TOKEN is not set")
  wrk.headers["Accept"] = "application/json"
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'API_LOAD_JSON {"requests": %d, "duration_s": %.3f, "bytes": %d, "rps": %.2f, '
      .. '"p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.bytes, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout
  ))
end
