-- wrk's script for `ordertrail bench http`: one request shape per run, chosen by its arguments
-- (`wrk ... -s load.lua -- MODE FOLDER ...`):
--   get FOLDER              GETs of the paths in FOLDER/paths, in turn
--   events FOLDER           POST /api/v1/events, one event a request
--   hook FOLDER N SOURCE    POST /hooks/SOURCE, N events a request, signed per Standard
--                           Webhooks with the secret in FOLDER/secret (whsec_...)
-- (a last argument gives wrk's thread count). Writes arrive as a carrier's would: each thread
-- moves its own share of the parcels, each parcel's scans come later than the one before, and
-- one in twenty arrives late (an hour older than what the parcel already has), so the app
-- folds that parcel's history again as it must for a real late scan.
-- Every write carries unique event keys and an X-Request-ID (the app echoes it back), and a
-- 2xx answer's id is written to FOLDER/acked-<thread>: what the database must hold after.
-- done() prints one line `BENCH {json}` with the figures.

local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local rshift, lshift, ror, tobit = bit.rshift, bit.lshift, bit.ror, bit.tobit

-- SHA-256 and HMAC (FIPS 180-4, RFC 2104): wrk's LuaJIT has bit operations but no digests.
local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
  0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
  0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
  0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
  0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
  0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
  0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
}

local function sha256(message)
  local h = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
    0x1f83d9ab, 0x5be0cd19 }
  local length = #message
  local padded = message .. "\128" .. string.rep("\0", (55 - length) % 64)
    .. string.char(0, 0, 0, 0, band(rshift(length * 8, 24), 255), band(rshift(length * 8, 16), 255),
      band(rshift(length * 8, 8), 255), band(length * 8, 255))
  local w = {}
  for block = 1, #padded, 64 do
    for i = 0, 15 do
      local a, b, c, d = padded:byte(block + i * 4, block + i * 4 + 3)
      w[i] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
    end
    for i = 16, 63 do
      local s0 = bxor(ror(w[i - 15], 7), ror(w[i - 15], 18), rshift(w[i - 15], 3))
      local s1 = bxor(ror(w[i - 2], 17), ror(w[i - 2], 19), rshift(w[i - 2], 10))
      w[i] = tobit(w[i - 16] + s0 + w[i - 7] + s1)
    end
    local a, b, c, d, e, f, g, hh = h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
    for i = 0, 63 do
      local S1 = bxor(ror(e, 6), ror(e, 11), ror(e, 25))
      local ch = bxor(band(e, f), band(bnot(e), g))
      local t1 = tobit(hh + S1 + ch + K[i + 1] + w[i])
      local S0 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
      local maj = bxor(band(a, b), band(a, c), band(b, c))
      local t2 = tobit(S0 + maj)
      hh, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + t2)
    end
    h[1], h[2], h[3], h[4] = tobit(h[1] + a), tobit(h[2] + b), tobit(h[3] + c), tobit(h[4] + d)
    h[5], h[6], h[7], h[8] = tobit(h[5] + e), tobit(h[6] + f), tobit(h[7] + g), tobit(h[8] + hh)
  end
  local out = {}
  for i = 1, 8 do
    out[i] = string.char(band(rshift(h[i], 24), 255), band(rshift(h[i], 16), 255),
      band(rshift(h[i], 8), 255), band(h[i], 255))
  end
  return table.concat(out)
end

local function hmac_sha256(key, message)
  if #key > 64 then key = sha256(key) end
  key = key .. string.rep("\0", 64 - #key)
  local inner, outer = {}, {}
  for i = 1, 64 do
    local byte = key:byte(i)
    inner[i] = string.char(bxor(byte, 0x36))
    outer[i] = string.char(bxor(byte, 0x5c))
  end
  return sha256(table.concat(outer) .. sha256(table.concat(inner) .. message))
end

local ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = {}
    for j = 3, 0, -1 do
      local index = math.floor(n / 64 ^ j) % 64
      chars[#chars + 1] = ALPHABET:sub(index + 1, index + 1)
    end
    if not b then chars[3], chars[4] = "=", "=" elseif not c then chars[4] = "=" end
    out[#out + 1] = table.concat(chars)
  end
  return table.concat(out)
end

local function unbase64(text)
  text = text:gsub("[^%w%+/]", "")
  local out = {}
  for i = 1, #text, 4 do
    local n, count = 0, 0
    for j = i, math.min(i + 3, #text) do
      n = n * 64 + (ALPHABET:find(text:sub(j, j), 1, true) - 1)
      count = count + 1
    end
    n = n * 64 ^ (4 - count)
    local bytes = string.char(math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
    out[#out + 1] = bytes:sub(1, count - 1)
  end
  return table.concat(out)
end

local function lines_of(path)
  local found = {}
  for line in io.lines(path) do
    if line ~= "" then found[#found + 1] = line end
  end
  return found
end

-- wrk's main thread: number the threads, so their ids and files do not collide (the acked
-- files are flushed when wrk exits)
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("number", counter)
end

local mode, folder, per_request, source, secret, shipments, paths, acked, run, started
local sent, next_path = 0, 0
local LATE_EVERY = 20

function init(args)
  mode, folder = args[1], args[2]
  per_request, source = tonumber(args[3] or "1"), args[4]
  run = io.open(folder .. "/run"):read("*l") .. "-" .. number
  if mode == "get" then
    paths = lines_of(folder .. "/paths")
  else
    -- this thread's share: two threads never move one parcel at once
    local threads, mine = tonumber(args[5] or "1"), {}
    for i, shipment in ipairs(lines_of(folder .. "/shipments")) do
      if (i - 1) % threads == number - 1 then mine[#mine + 1] = shipment end
    end
    shipments = #mine > 0 and mine or lines_of(folder .. "/shipments")
    started = os.time() - 600
    acked = io.open(folder .. "/acked-" .. number, "w")
  end
  if mode == "hook" then
    local given = io.open(folder .. "/secret"):read("*l")
    secret = unbase64(given:gsub("^whsec_", ""))
  end
end

-- The scan's time: a millisecond after this thread's previous scan (ten minutes ago, and on),
-- or an hour before them all for the late one.
local function scanned_at(tick)
  local late = tick % LATE_EVERY == 0 and 3600 or 0
  local whole = started + math.floor(tick / 1000) - late
  return os.date("!%Y-%m-%dT%H:%M:%S", whole) .. string.format(".%03dZ", tick % 1000)
end

local function events_json(id, count)
  local items = {}
  for n = 1, count do
    local tick = sent * count + n
    local shipment = shipments[tick % #shipments + 1]
    items[n] = string.format(
      '{"key":"%s-%d","shipment":"%s","milestone":"in_transit","source":"carrier:%s",'
        .. '"occurred_at":"%s","raw_code":"BENCH","location":{"city":"Reno","country":"US"}}',
      id, n, shipment, source or "ups", scanned_at(tick))
  end
  return "[" .. table.concat(items, ",") .. "]"
end

function request()
  sent = sent + 1
  if mode == "get" then
    next_path = next_path % #paths + 1
    return wrk.format("GET", paths[next_path])
  end
  local id = run .. "-" .. sent
  local headers = { ["Content-Type"] = "application/json", ["X-Request-ID"] = id }
  for name, value in pairs(wrk.headers) do  -- given headers replace wrk's (--header) whole
    headers[name] = value
  end
  local body = events_json(id, per_request)
  if mode == "events" then
    return wrk.format("POST", "/api/v1/events", headers, body)
  end
  local stamp = tostring(os.time())
  headers["webhook-id"] = "msg_" .. id
  headers["webhook-timestamp"] = stamp
  headers["webhook-signature"] = "v1," .. base64(
    hmac_sha256(secret, "msg_" .. id .. "." .. stamp .. "." .. body))
  return wrk.format("POST", "/hooks/" .. source, headers, body)
end

function response(status, headers, body)
  if acked and status >= 200 and status < 300 then
    local id = headers["x-request-id"] or headers["X-Request-ID"]
    if id then acked:write(id, "\n") end
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH {"requests":%d,"seconds":%.3f,"p50_ms":%.3f,"p99_ms":%.3f,"non_2xx_3xx":%d,'
      .. '"socket_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout))
end
