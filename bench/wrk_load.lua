-- One load run of bench/serve_load.py under wrk: POST the query in $QUERY, form-encoded, with
-- the Accept header in $ACCEPT. With FRESH=1 every request's text is made unique by a trailing
-- comment ($RUN keeps the texts of one bench run apart from another's). At the end it writes
-- one JSON line: requests done, the run's length, errors, and the latency at 400 quantiles.
local query = os.getenv("QUERY")
local run = os.getenv("RUN") or "0"

local function encoded(text)
  return (text:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", c:byte()) end))
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = os.getenv("ACCEPT")
wrk.body = "query=" .. encoded(query)

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread", threads)
end

if os.getenv("FRESH") == "1" then
  local sent = 0
  function request()
    sent = sent + 1
    local text = query .. "\n# " .. run .. "-" .. thread .. "-" .. sent
    return wrk.format(nil, nil, nil, "query=" .. encoded(text))
  end
end

function done(summary, latency, requests)
  local quantiles = {}
  for i = 1, 400 do
    quantiles[i] = latency:percentile((i - 0.5) / 4)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, '
      .. '"status": %d, "timeout": %d}, "latency_us": [%s]}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(quantiles, ",")))
end
