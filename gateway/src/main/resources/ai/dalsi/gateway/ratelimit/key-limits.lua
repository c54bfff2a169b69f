-- Everything that limits a key, as one atomic step in Redis (RedisKeyRateLimiter says why a script).
-- ARGV[1] is the operation; ARGV[2] is the node's clock in microseconds (the caller's time meter).
-- Times are microseconds, money micro-dollars: integers a double holds exactly.
--
-- KEYS (admit, settle): 1 request buckets, 2 token minute slots, 3 token day slots,
--                       4 the key's month spend, 5 the user's month spend.
local op = ARGV[1]
local now = tonumber(ARGV[2])
local EPS = 1e-6

-- Request buckets: one GCRA state per window (minute, hour, day), the theoretical arrival time
-- (tat) of a greedy-refill bucket of capacity L refilled L per period, which is what a Bucket4j
-- greedy bandwidth is: available = (now + period - tat) / (period / L), capped at L.
local PERIODS = {60000000, 3600000000, 86400000000}
local TAT = {'mt', 'ht', 'dt'}
local LIM = {'ml', 'hl', 'dl'}

local function buckets(key, limits)
  local raw = redis.call('HMGET', key, 'mt', 'ml', 'ht', 'hl', 'dt', 'dl')
  local tats, avail = {}, {}
  for i = 1, 3 do
    local L = limits[i]
    local P = PERIODS[i]
    local tat = tonumber(raw[2 * i - 1])
    local old = tonumber(raw[2 * i])
    if tat == nil or tat < now then tat = now end
    if old ~= nil and old ~= L then
      -- Changed limits keep what was consumed (Bucket4j's ADDITIVE): a raise keeps the missing
      -- requests, a cut keeps what is left, capped at the new limit.
      local missing = (tat - now) / (P / old)
      if L < old then
        missing = L - math.min(old - missing, L)
        if missing < 0 then missing = 0 end
      end
      tat = now + missing * (P / L)
    end
    tats[i] = tat
    avail[i] = math.floor((now + P - tat) / (P / L) + EPS)
  end
  return tats, avail
end

local function consume(key, limits, tats)
  local longest = 0
  for i = 1, 3 do
    tats[i] = tats[i] + PERIODS[i] / limits[i]
    if tats[i] - now > longest then longest = tats[i] - now end
  end
  redis.call('HSET', key, 'mt', tats[1], 'ml', limits[1], 'ht', tats[2], 'hl', limits[2], 'dt', tats[3], 'dl', limits[3])
  -- Once the latest tat is past the bucket is full again: nothing is lost by forgetting it.
  redis.call('PEXPIRE', key, math.ceil(longest / 1000) + 60000)
end

-- Until one more request fits in every window (Bucket4j's nanosToWaitForRefill).
local function wait(limits, tats)
  local w = 0
  for i = 1, 3 do
    local t = tats[i] + PERIODS[i] / limits[i] - PERIODS[i] - now
    if t > w then w = t end
  end
  return math.ceil(w)
end

-- Token windows: slots of absolute index floor(t / width), counted conservatively (SlidingTokenWindow).
local WINDOWS = {{width = 1000000, slots = 60}, {width = 900000000, slots = 96}}

local function leaves_at(slot, w)
  return (slot + w.slots + 1) * w.width
end

local function window(key, w)
  local cur = math.floor(now / w.width)
  local raw = redis.call('HGETALL', key)
  local kept, stale, used = {}, {}, 0
  for i = 1, #raw, 2 do
    local s = tonumber(raw[i])
    local c = tonumber(raw[i + 1])
    if s < cur - w.slots then
      stale[#stale + 1] = raw[i]
    else
      used = used + c
      kept[#kept + 1] = {s, c}
    end
  end
  if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
  table.sort(kept, function(a, b) return a[1] < b[1] end)
  return {cur = cur, used = used, kept = kept}
end

local function reset_after(st, w)
  for i = #st.kept, 1, -1 do
    if st.kept[i][2] ~= 0 then return leaves_at(st.kept[i][1], w) - now end
  end
  return 0
end

local function retry_after(st, w, tokens, limit)
  if tokens > limit then return -1 end
  local need = st.used - (limit - tokens)
  if need <= 0 then return 0 end
  local freed = 0
  for _, sc in ipairs(st.kept) do
    freed = freed + sc[2]
    if freed >= need then return leaves_at(sc[1], w) - now end
  end
  return leaves_at(st.cur, w) - now
end

local function touch_window(key, w)
  redis.call('PEXPIRE', key, math.ceil((w.slots + 1) * w.width / 1000) + 60000)
end

-- Month spends: seed (the ledger's figure when Redis started counting the month), settled, reserved.
local function spend(key)
  local raw = redis.call('HMGET', key, 'seed', 'settled', 'reserved')
  if not raw[1] then return nil end
  return tonumber(raw[1]) + (tonumber(raw[2]) or 0), tonumber(raw[3]) or 0
end

if op == 'acquire' or op == 'peek' then
  local limits = {tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])}
  local tats, avail = buckets(KEYS[1], limits)
  if op == 'peek' then return {'ok', avail[1], avail[2], avail[3], 0} end
  if avail[1] >= 1 and avail[2] >= 1 and avail[3] >= 1 then
    consume(KEYS[1], limits, tats)
    return {'ok', avail[1] - 1, avail[2] - 1, avail[3] - 1, 0}
  end
  return {'requests', avail[1], avail[2], avail[3], wait(limits, tats)}
end

if op == 'admit' then
  -- ARGV: 3-5 request limits (0: none), 6-7 token limits (0: none), 8 worst-case tokens,
  -- 9 worst-case cost, 10 key budget, 11 user budget (-1: none).
  local limits = {tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])}
  local tokenLimits = {tonumber(ARGV[6]), tonumber(ARGV[7])}
  local tokens, cost = tonumber(ARGV[8]), tonumber(ARGV[9])
  local keyBudget, userBudget = tonumber(ARGV[10]), tonumber(ARGV[11])
  -- A month Redis has not counted yet starts from the ledger: the caller seeds it and asks again.
  if keyBudget >= 0 and redis.call('EXISTS', KEYS[4]) == 0 then return {'seed', 1} end
  if userBudget >= 0 and redis.call('EXISTS', KEYS[5]) == 0 then return {'seed', 2} end
  local requestLimited = limits[1] > 0
  local tokenLimited = tokenLimits[1] > 0 or tokenLimits[2] > 0
  local tats, avail = {}, {0, 0, 0}
  if requestLimited then tats, avail = buckets(KEYS[1], limits) end
  local st = {}
  if tokenLimited then
    st[1] = window(KEYS[2], WINDOWS[1])
    st[2] = window(KEYS[3], WINDOWS[2])
  end
  local function tokenData(withRetry)
    if not tokenLimited then return 0, 0, 0, 0, 0, 0 end
    local r1, r2 = 0, 0
    if withRetry then
      r1 = tokenLimits[1] > 0 and retry_after(st[1], WINDOWS[1], tokens, tokenLimits[1]) or 0
      r2 = tokenLimits[2] > 0 and retry_after(st[2], WINDOWS[2], tokens, tokenLimits[2]) or 0
    end
    return st[1].used, reset_after(st[1], WINDOWS[1]), r1, st[2].used, reset_after(st[2], WINDOWS[2]), r2
  end
  local function answer(status, committed, w, withRetry)
    local mu, mr, mq, du, dr, dq = tokenData(withRetry)
    return {status, avail[1], avail[2], avail[3], w, mu, mr, mq, du, dr, dq, committed}
  end
  if requestLimited and (avail[1] < 1 or avail[2] < 1 or avail[3] < 1) then
    return answer('requests', 0, wait(limits, tats), false)
  end
  if keyBudget >= 0 then
    local spent, reserved = spend(KEYS[4])
    if spent + reserved + cost > keyBudget then return answer('key', spent + reserved, 0, false) end
  end
  if userBudget >= 0 then
    local spent, reserved = spend(KEYS[5])
    if spent + reserved + cost > userBudget then return answer('user', spent + reserved, 0, false) end
  end
  if tokenLimited then
    for i = 1, 2 do
      if tokenLimits[i] > 0 and tokens > tokenLimits[i] - st[i].used then
        return answer('tokens', 0, 0, true)
      end
    end
  end
  -- Every check passed: take, reserve and return where things stand after.
  if requestLimited then
    consume(KEYS[1], limits, tats)
    for i = 1, 3 do avail[i] = avail[i] - 1 end
  end
  if keyBudget >= 0 then redis.call('HINCRBY', KEYS[4], 'reserved', cost) end
  if userBudget >= 0 then redis.call('HINCRBY', KEYS[5], 'reserved', cost) end
  if tokenLimited then
    for i = 1, 2 do
      redis.call('HINCRBY', KEYS[1 + i], st[i].cur, tokens)
      touch_window(KEYS[1 + i], WINDOWS[i])
      st[i] = window(KEYS[1 + i], WINDOWS[i])
    end
  end
  return answer('ok', 0, 0, false)
end

if op == 'settle' then
  -- ARGV: 3 reserved at, 4 reserved tokens, 5 used tokens, 6 reserved cost, 7 cost,
  -- 8 key budget reserved (1/0), 9 user budget reserved (1/0).
  local at, reserved, used = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
  local reservedCost, cost = tonumber(ARGV[6]), tonumber(ARGV[7])
  if reserved > 0 then
    local delta = used - reserved
    for i = 1, 2 do
      local w = WINDOWS[i]
      local cur = math.floor(now / w.width)
      local slot = math.floor(at / w.width)
      if slot >= cur - w.slots then
        -- Still counted: the reservation's own slot moves to what was used (never below zero).
        local c = tonumber(redis.call('HGET', KEYS[1 + i], slot)) or 0
        local applied = math.max(delta, -c)
        if applied ~= 0 then redis.call('HINCRBY', KEYS[1 + i], slot, applied) end
      elseif delta > 0 then
        -- No longer counted: an excess still goes into the current slot, a saving is moot.
        redis.call('HINCRBY', KEYS[1 + i], cur, delta)
        touch_window(KEYS[1 + i], w)
      end
    end
  end
  for i = 4, 5 do
    if ARGV[4 + i] == '1' and redis.call('EXISTS', KEYS[i]) == 1 then
      redis.call('HINCRBY', KEYS[i], 'reserved', 0 - reservedCost)
      redis.call('HINCRBY', KEYS[i], 'settled', cost)
    end
  end
  return {'ok'}
end

if op == 'tokens' then
  -- KEYS 1-2: the minute and day slots. Where they stand without reserving anything.
  local a = window(KEYS[1], WINDOWS[1])
  local b = window(KEYS[2], WINDOWS[2])
  return {'ok', a.used, reset_after(a, WINDOWS[1]), b.used, reset_after(b, WINDOWS[2])}
end

if op == 'seed' then
  -- KEYS[1]: a month spend; ARGV 3: the ledger's figure, 4: seconds it lives (a week past its month).
  -- The first node to seed wins: a figure another node seeded meanwhile already counts more.
  if redis.call('EXISTS', KEYS[1]) == 0 then
    redis.call('HSET', KEYS[1], 'seed', ARGV[3], 'settled', 0, 'reserved', 0)
    redis.call('EXPIRE', KEYS[1], ARGV[4])
  end
  return {'ok'}
end

if op == 'budget' then
  local spent, reserved = spend(KEYS[1])
  if spent == nil then return {'seed', 0} end
  return {'ok', spent, reserved}
end

return redis.error_reply('unknown operation ' .. tostring(op))
