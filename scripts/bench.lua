-- wrk script for scripts/bench.
--
--   wrk ... -s scripts/bench.lua URL -- MODE NTHREADS [FILE]
--
-- MODE healthz: GET /healthz, unauthenticated (the baseline).
-- MODE replay:  the requests in FILE (written by scripts/bench), every thread
--               cycling through all of them (one DescribeLoadBalancers).
-- MODE unique:  the requests in FILE, thread i of NTHREADS taking lines
--               i, i+NTHREADS, ... so no request is sent twice; a thread
--               that runs out starts again and counts it in `wrapped`,
--               which makes a CreateLoadBalancer run invalid.
--
-- Every request is formatted once in init(); request() only hands out the
-- next string, so healthz and the API runs cost wrk the same per request.
-- done() prints one machine-readable line starting with "BENCH ".

local threads = {}
local next_tid = 0

function setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
   table.insert(threads, thread)
end

local function load_file(path, mode, nthreads)
   local headers, auth = {}, nil
   local out, i = {}, 0
   for line in io.lines(path) do
      local kind = line:sub(1, 2)
      if kind == "H " then
         local k, v = line:match("^H ([^:]+): (.*)$")
         headers[k] = v
      elseif kind == "A " then
         auth = line:sub(3)
      elseif kind == "R " then
         if mode == "replay" or i % nthreads == tid then
            local sig, body = line:match("^R (%x+) (.*)$")
            if not sig or not auth then
               error("bench.lua: malformed line in " .. path)
            end
            headers["Authorization"] = auth .. sig
            out[#out + 1] = wrk.format("POST", "/", headers, body)
         end
         i = i + 1
      end
   end
   return out
end

function init(args)
   mode = args[1]
   local nthreads = tonumber(args[2] or "1")
   wrapped = 0
   idx = 0
   if mode == "healthz" then
      reqs = { wrk.format("GET", "/healthz") }
   elseif mode == "replay" or mode == "unique" then
      reqs = load_file(args[3], mode, nthreads)
   else
      error("bench.lua: MODE must be healthz, replay or unique")
   end
   nreqs = #reqs
   if nreqs == 0 then
      error("bench.lua: thread " .. tid .. " has no requests")
   end
   -- Announced so the bench can tell how many requests each thread had.
   loaded = nreqs
end

function request()
   idx = idx + 1
   if idx > nreqs then
      idx = 1
      if mode == "unique" then
         wrapped = wrapped + 1
      end
   end
   return reqs[idx]
end

function done(summary, latency, requests)
   local wrapped_total, loaded_min = 0, nil
   for _, t in ipairs(threads) do
      wrapped_total = wrapped_total + (t:get("wrapped") or 0)
      local l = t:get("loaded") or 0
      if not loaded_min or l < loaded_min then
         loaded_min = l
      end
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   -- errors.status is wrk's count of answers with status > 399; this
   -- server sends no 1xx/3xx, so it is the non-2xx count.
   io.write(string.format(
      "BENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f " ..
      "max_ms=%.3f non2xx=%d connect=%d read=%d write=%d timeout=%d " ..
      "wrapped=%d per_thread=%d\n",
      summary.requests, secs, summary.requests / secs,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout,
      wrapped_total, loaded_min or 0))
end
