"""Lua scripts of the Redis state store (see `rooms.state.redis` for the key layout).

Every script reads the clock with TIME on the Redis server, so processes with skewed clocks
agree on deadlines. A presence record is cJSON ``{"n": name, "r": role, "c": {node: count}}``;
its connections' deadlines live in the room's deadlines zset as ``"<uid>|<node>"`` and its
reconnect grace deadline as ``"<uid>|"``.
"""

from __future__ import annotations

__all__ = [
    "CONNECTIONS",
    "COUNT_REPORT",
    "FIRST_SEQ",
    "HEARTBEAT",
    "JOIN",
    "LOWER_HAND",
    "PART",
    "PUT_FIELD",
    "RAISE_HAND",
    "REAP",
    "RELEASE_FLOOR",
    "SET_FLOOR",
    "STILL_RECONNECTING",
]

_PRELUDE = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A member's record with expired connections pruned, or nil. The second result is true when a
-- record existed and was deleted now (no live connection and no reconnect grace left).
local function load(pk, dk, uid, now)
  local raw = redis.call('HGET', pk, uid)
  if not raw then return nil, false end
  local rec = cjson.decode(raw)
  local live, changed = false, false
  for node, _ in pairs(rec.c) do
    local m = uid .. '|' .. node
    local d = redis.call('ZSCORE', dk, m)
    if d and tonumber(d) > now then
      live = true
    else
      rec.c[node] = nil
      changed = true
      redis.call('ZREM', dk, m)
    end
  end
  if not live then
    local g = redis.call('ZSCORE', dk, uid .. '|')
    if not (g and tonumber(g) > now) then
      redis.call('HDEL', pk, uid)
      redis.call('ZREM', dk, uid .. '|')
      return nil, true
    end
  end
  if changed then redis.call('HSET', pk, uid, cjson.encode(rec)) end
  return rec, false
end

local function touch(ttl, ...)
  for _, key in ipairs({...}) do redis.call('PEXPIRE', key, ttl) end
end
"""

# KEYS: presence, deadlines. ARGV: uid, node, name, role, ttl ms, room ttl ms. Returns 1 if fresh.
JOIN = (
    _PRELUDE
    + """
local now = now_ms()
local uid, node = ARGV[1], ARGV[2]
local rec = load(KEYS[1], KEYS[2], uid, now)
local fresh = 0
if not rec then
  rec = {c = {}}
  fresh = 1
end
rec.n = ARGV[3]
rec.r = ARGV[4]
rec.c[node] = (rec.c[node] or 0) + 1
redis.call('HSET', KEYS[1], uid, cjson.encode(rec))
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[5]), uid .. '|' .. node)
redis.call('ZREM', KEYS[2], uid .. '|')
touch(ARGV[6], KEYS[1], KEYS[2])
return fresh
"""
)

# One connection of uid on node ends. KEYS: presence, deadlines. ARGV: uid, node, mode
# ('away' or 'leave'), grace ms, room ttl ms. Returns 1 when the member's status changed:
# 'away' -> now reconnecting (it was their last connection); 'leave' -> gone from the room.
PART = (
    _PRELUDE
    + """
local now = now_ms()
local uid, node, mode = ARGV[1], ARGV[2], ARGV[3]
local rec = load(KEYS[1], KEYS[2], uid, now)
if not rec then return 0 end
local n = rec.c[node]
if n then
  if n > 1 then
    rec.c[node] = n - 1
  else
    rec.c[node] = nil
    redis.call('ZREM', KEYS[2], uid .. '|' .. node)
  end
elseif mode == 'away' then
  return 0
end
if next(rec.c) ~= nil then
  redis.call('HSET', KEYS[1], uid, cjson.encode(rec))
  return 0
end
if mode == 'leave' then
  redis.call('HDEL', KEYS[1], uid)
  redis.call('ZREM', KEYS[2], uid .. '|')
  return 1
end
redis.call('HSET', KEYS[1], uid, cjson.encode(rec))
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), uid .. '|')
touch(ARGV[5], KEYS[1], KEYS[2])
return 1
"""
)

# KEYS: presence, deadlines. ARGV: uid. 1 while the member is listed without a live connection.
STILL_RECONNECTING = (
    _PRELUDE
    + """
local rec = load(KEYS[1], KEYS[2], ARGV[1], now_ms())
if rec and next(rec.c) == nil then return 1 end
return 0
"""
)

# KEYS: presence_1, deadlines_1, ..., presence_n, deadlines_n, then user connection counters.
# ARGV: node, ttl ms, room ttl ms, n, then n space-separated uid lists. Returns a flat list of
# (room index, uid) pairs this node holds but the store no longer knows (reaped meanwhile).
HEARTBEAT = (
    _PRELUDE
    + """
local now = now_ms()
local node, ttl, nrooms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[4])
local missing = {}
for i = 1, nrooms do
  local pk, dk = KEYS[2 * i - 1], KEYS[2 * i]
  for uid in string.gmatch(ARGV[4 + i], '%d+') do
    local m = uid .. '|' .. node
    if redis.call('ZSCORE', dk, m) and redis.call('HEXISTS', pk, uid) == 1 then
      redis.call('ZADD', dk, now + ttl, m)
    else
      missing[#missing + 1] = i
      missing[#missing + 1] = tonumber(uid)
    end
  end
  touch(ARGV[3], pk, dk)
end
for j = 2 * nrooms + 1, #KEYS do redis.call('PEXPIRE', KEYS[j], ttl) end
return missing
"""
)

# KEYS: presence, deadlines. Removes members whose connections and grace all expired.
REAP = (
    _PRELUDE
    + """
local now = now_ms()
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
local gone, seen = {}, {}
for _, m in ipairs(expired) do
  local uid = string.match(m, '^(%d+)|')
  if uid and not seen[uid] then
    seen[uid] = true
    local _, removed = load(KEYS[1], KEYS[2], uid, now)
    if removed then gone[#gone + 1] = tonumber(uid) end
  end
  redis.call('ZREM', KEYS[2], m)
end
return gone
"""
)

# KEYS: hands. ARGV: uid, room ttl ms. Returns the queue after the change.
RAISE_HAND = """
if not redis.call('LPOS', KEYS[1], ARGV[1]) then redis.call('RPUSH', KEYS[1], ARGV[1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('LRANGE', KEYS[1], 0, -1)
"""

LOWER_HAND = """
redis.call('LREM', KEYS[1], 0, ARGV[1])
return redis.call('LRANGE', KEYS[1], 0, -1)
"""

# KEYS: flags. ARGV: new holder ('' for none), room ttl ms. Returns 1 if the floor changed.
SET_FLOOR = """
if (redis.call('HGET', KEYS[1], 'floor') or '') == ARGV[1] then return 0 end
if ARGV[1] == '' then
  redis.call('HDEL', KEYS[1], 'floor')
else
  redis.call('HSET', KEYS[1], 'floor', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
"""

# KEYS: flags. ARGV: uid. Clears the floor only if uid holds it; returns 1 if it did.
RELEASE_FLOOR = """
if redis.call('HGET', KEYS[1], 'floor') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], 'floor')
return 1
"""

# KEYS: first-seq hash. ARGV: uid, current seq, room ttl ms. Returns the member's first seq.
FIRST_SEQ = """
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
"""

# KEYS: the user's counter. ARGV: delta, ttl ms. Never goes below 0.
CONNECTIONS = """
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n <= 0 then
  redis.call('DEL', KEYS[1])
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n
"""

# KEYS: hash. ARGV: field, value, 1 to set / 0 to delete, ttl ms. Returns 1 if the field existed.
PUT_FIELD = """
local existed = redis.call('HEXISTS', KEYS[1], ARGV[1])
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return existed
"""

# KEYS: reports hash. ARGV: message id, reporter uid, ttl ms. Returns the distinct reporters.
COUNT_REPORT = """
if redis.call('HSETNX', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 1) == 1 then
  redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return tonumber(redis.call('HGET', KEYS[1], ARGV[1]))
"""
