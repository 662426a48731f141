#!lua name=crawl_frontier_1
-- The shared frontier of a cluster crawl (--redis URL --job NAME): the
-- Redis side of cluster/cluster.c. Every function is atomic, so a URL is
-- admitted exactly once across the cluster, and every decision about
-- depth is made here, with the same rules as the in-process frontier
-- (crawler/frontier.c): depth is the shortest link distance, a shorter
-- path lowers a URL's depth and re-expands it.
--
-- Keys, under the prefix P = "crawl:<job>:" (ARGV[1] of every call):
--   P.."meta"        hash: version, config (the options that must agree)
--   P.."seen"        hash fp -> "S|depth|owner"; S is Q queued, A taken
--                    by owner, P parsed with its record held by owner, N
--                    nofollow only, D done (record written), H redirect hop
--   P.."item"        hash fp -> "host\turl\tparent\tkind" while not done;
--                    kind: f page, x external check, n nofollow, s:REASON
--                    a record without a fetch
--   P.."q:"..host    zset of fp, score depth * 1e10 + seq (lowest first)
--   P.."hostq"       set of hosts with queued URLs
--   P.."unf"         hash depth -> URLs queued or taken and not yet
--                    expanded (the cluster's unfinished count)
--   P.."inf:"..node  set of fp taken by node (A or P): redone if it dies
--   P.."inbox:"..node list of "fp|depth|parent": a P URL of node was
--                    lowered; counted in unf until node re-expands it
--   P.."lease:"..host string node, with a TTL: only node fetches host
--   P.."held:"..node set of hosts node leases
--   P.."alive:"..node string, with a TTL renewed by every poll
--   P.."nodes"       hash node -> records written by node
--   P.."robots"      hash host -> "kind|error|body" (robots.txt, once per job)
--   P.."nf"          set of fp in state N (their records come at the end)
--   P.."cnt"         hash: done, reclaimed, dead
--   P.."seq"         counter

local function get(p, fp)
  local v = redis.call('HGET', p .. 'seen', fp)
  if not v then return nil end
  local s, d, o = string.match(v, '^(%a)|(%-?%d+)|(.*)$')
  return s, tonumber(d), o
end

local function put(p, fp, s, d, o)
  redis.call('HSET', p .. 'seen', fp, s .. '|' .. d .. '|' .. (o or ''))
end

local function unf(p, d, n)
  if redis.call('HINCRBY', p .. 'unf', d, n) == 0 then
    redis.call('HDEL', p .. 'unf', d)
  end
end

local function split_item(item)
  return string.match(item, '^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$')
end

local function push(p, fp, d, host)
  local seq = redis.call('INCR', p .. 'seq')
  redis.call('ZADD', p .. 'q:' .. host, d * 1e10 + seq, fp)
  redis.call('SADD', p .. 'hostq', host)
end

-- With --sitemaps, a host's sitemaps may still bring depth-0 URLs until
-- they are read: from the host's first URL until crawl_smdone, the host
-- counts as an unfinished depth-0 URL (P.."sm": host -> pending, done).
local function sitemaps_pin(p, host)
  if host ~= '' and redis.call('HGET', p .. 'meta', 'sitemaps') == '1' and
      redis.call('HSETNX', p .. 'sm', host, 'pending') == 1 then
    unf(p, 0, 1)
  end
end

local function enqueue(p, fp, d, host, url, parent, kind)
  redis.call('HSET', p .. 'item', fp, host .. '\t' .. url .. '\t' .. parent .. '\t' .. kind)
  push(p, fp, d, host)
  put(p, fp, 'Q', d)
  unf(p, d, 1)
  sitemaps_pin(p, host)
end

local function set_parent(p, fp, parent)
  local item = redis.call('HGET', p .. 'item', fp)
  if item then
    local host, url, _, kind = split_item(item)
    redis.call('HSET', p .. 'item', fp, host .. '\t' .. url .. '\t' .. parent .. '\t' .. kind)
    return host
  end
end

-- A shorter path (depth nd, from parent) to a URL in state s at depth d.
local function relax(p, fp, s, d, o, nd, parent)
  local host = set_parent(p, fp, parent)
  if s == 'Q' then
    if host then push(p, fp, nd, host) end
    unf(p, d, -1)
    unf(p, nd, 1)
    put(p, fp, 'Q', nd)
  elseif s == 'A' then
    unf(p, d, -1)
    unf(p, nd, 1)
    put(p, fp, 'A', nd, o)
  elseif s == 'P' then
    -- its owner re-expands it; unfinished until then
    unf(p, nd, 1)
    put(p, fp, 'P', nd, o)
    local id = redis.call('INCR', p .. 'seq')
    redis.call('RPUSH', p .. 'inbox:' .. o, id .. '|' .. fp .. '|' .. nd .. '|' .. parent)
  elseif s == 'N' then
    put(p, fp, 'N', nd)
  end
end

-- One link (fp, host, url, kind) of parent found at depth nd. kind: its
-- class (f a page of the site, x an off-site link to check), then n when
-- the link is nofollow or - when not, then ":REASON" when a scope rule
-- keeps the URL from being fetched.
local function admit(p, fp, host, url, parent, nd, kind, maxq)
  local class, nofollow = string.sub(kind, 1, 1), string.sub(kind, 2, 2) == 'n'
  local reason = string.match(kind, ':(.*)$')
  local s, d, o = get(p, fp)
  if s == 'N' and not nofollow then
    -- followable after all: it joins the crawl at this path's depth
    redis.call('SREM', p .. 'nf', fp)
    enqueue(p, fp, nd, host, url, parent, class)
    return
  end
  if s then
    if d > nd then relax(p, fp, s, d, o, nd, parent) end
    return
  end
  if reason then
    enqueue(p, fp, nd, host, url, parent, 's:' .. reason)
  elseif nofollow then
    redis.call('HSET', p .. 'item', fp, host .. '\t' .. url .. '\t' .. parent .. '\tn')
    redis.call('SADD', p .. 'nf', fp)
    put(p, fp, 'N', nd)
  elseif class == 'f' and maxq > 0 and redis.call('ZCARD', p .. 'q:' .. host) >= maxq then
    enqueue(p, fp, nd, host, url, parent, 's:queue_full')
  else
    enqueue(p, fp, nd, host, url, parent, class)
  end
end

-- links: ARGV[first..] in groups of four (fp, host, url, kind).
local function admit_all(p, a, first, parent, nd, limf, limx, maxq)
  for i = first, #a, 4 do
    local lim = string.sub(a[i + 3], 1, 1) == 'x' and limx or limf
    if nd <= lim then admit(p, a[i], a[i + 1], a[i + 2], parent, nd, a[i + 3], maxq) end
  end
end

-- A URL node took (A) or holds (P) goes back to its host's queue, as
-- its item says. A held URL was expanded already: it counts as
-- unfinished again. Returns 1, or 0 when fp is not node's.
local function requeue(p, node, fp)
  local s, d, o = get(p, fp)
  local item = redis.call('HGET', p .. 'item', fp)
  if not ((s == 'A' or s == 'P') and o == node and item) then return 0 end
  push(p, fp, d, split_item(item))
  put(p, fp, 'Q', d)
  if s == 'P' then unf(p, d, 1) end
  redis.call('SREM', p .. 'inf:' .. node, fp)
  return 1
end

-- A node that is gone (dead, or leaving): its inbox is undone, its URLs
-- queued again, its leases let go. It moves from nodes to `to` (dead or
-- left), keeping its count of records written.
local function reclaim(p, dead, to)
  for _, m in ipairs(redis.call('LRANGE', p .. 'inbox:' .. dead, 0, -1)) do
    local d = string.match(m, '^[^|]*|[^|]*|(%-?%d+)|')
    unf(p, tonumber(d), -1)
  end
  redis.call('DEL', p .. 'inbox:' .. dead)
  local n = 0
  for _, fp in ipairs(redis.call('SMEMBERS', p .. 'inf:' .. dead)) do
    n = n + requeue(p, dead, fp)
  end
  redis.call('DEL', p .. 'inf:' .. dead)
  for _, host in ipairs(redis.call('SMEMBERS', p .. 'held:' .. dead)) do
    if redis.call('GET', p .. 'lease:' .. host) == dead then
      redis.call('DEL', p .. 'lease:' .. host)
    end
  end
  for _, host in ipairs(redis.call('SMEMBERS', p .. 'smdoing:' .. dead)) do
    if redis.call('HGET', p .. 'sm', host) == 'pending' then
      if redis.call('ZCARD', p .. 'q:' .. host) > 0 then
        redis.call('SADD', p .. 'hostq', host) -- its next lease holder reads them
      else -- nothing will bring a node to it: the job must still end
        redis.call('HSET', p .. 'sm', host, 'done')
        unf(p, 0, -1)
        redis.call('HINCRBY', p .. 'cnt', 'sitemaps_lost', 1)
      end
    end
  end
  redis.call('DEL', p .. 'held:' .. dead, p .. 'claim:' .. dead, p .. 'nfclaim:' .. dead,
    p .. 'smdoing:' .. dead)
  local written = redis.call('HGET', p .. 'nodes', dead)
  redis.call('HDEL', p .. 'nodes', dead)
  if written then redis.call('HSET', p .. to, dead, written) end
  redis.call('HINCRBY', p .. 'cnt', 'reclaimed', n)
  return n
end

local function totals(p)
  local min, total = -1, 0
  local u = redis.call('HGETALL', p .. 'unf')
  for i = 1, #u, 2 do
    local d, n = tonumber(u[i]), tonumber(u[i + 1])
    if n ~= 0 then
      total = total + n
      if min < 0 or d < min then min = d end
    end
  end
  local held = 0
  for _, n in ipairs(redis.call('HKEYS', p .. 'nodes')) do
    held = held + redis.call('SCARD', p .. 'inf:' .. n)
  end
  return min, total, held
end

-- Hosts one node should lease at most: the hosts with work, shared out
-- between the nodes (a node above it lets hosts go once idle on them).
local function share(p)
  local nodes = redis.call('HKEYS', p .. 'nodes')
  local hosts = redis.call('SCARD', p .. 'hostq')
  for _, n in ipairs(nodes) do
    for _, h in ipairs(redis.call('SMEMBERS', p .. 'held:' .. n)) do
      if redis.call('SISMEMBER', p .. 'hostq', h) == 0 then hosts = hosts + 1 end
    end
  end
  if #nodes == 0 then return hosts end
  return math.max(1, math.ceil(hosts / #nodes))
end

-- What a node learns with every reply: {min unfinished depth or -1,
-- unfinished, held, nofollow, inbox}. Its inbox (messages
-- "id|fp|depth|parent": URLs of its own whose depth was lowered) comes in
-- the same atomic step as the counts, so a node never judges a record
-- final on counts newer than its depths. A message stays in the inbox
-- until crawl_reexpand acknowledges it, so a lost reply loses nothing.
local function news(p, node)
  local min, total, held = totals(p)
  local inbox = redis.call('LRANGE', p .. 'inbox:' .. node, 0, 999)
  return {min, total, held, redis.call('SCARD', p .. 'nf'), inbox}
end

-- A reply kept for a command that takes (crawl_claim, crawl_nofollow): the
-- same id sent again after a lost connection gets the same answer.
local function cached(p, what, node, id)
  local v = redis.call('GET', p .. what .. ':' .. node)
  if v then
    local sep = string.find(v, '\n', 1, true)
    if string.sub(v, 1, sep - 1) == id then return cjson.decode(string.sub(v, sep + 1)) end
  end
end

local function cache(p, what, node, id, result)
  redis.call('SET', p .. what .. ':' .. node, id .. '\n' .. cjson.encode(result))
  return result
end

-- join(P, node, version, config, lease_ms, rejoin) -> "created" or
-- "joined", or an error naming what differs. With rejoin = 1 (after a
-- lost connection) the job must exist already.
redis.register_function('crawl_join', function(_, a)
  local p, node, version, config, lease, rejoin = a[1], a[2], a[3], a[4], a[5], a[6]
  local meta = p .. 'meta'
  local v = redis.call('HGET', meta, 'version')
  local how = 'joined'
  if not v and rejoin == '1' then
    return redis.error_reply('CRAWL the job is gone from Redis (was the server restarted without appendonly?)')
  elseif not v then
    if redis.call('EXISTS', p .. 'seen') == 1 then
      return redis.error_reply('CRAWL job data without a version: not a crawl job')
    end
    redis.call('HSET', meta, 'version', version, 'config', config, 'sitemaps', a[7] or '0')
    how = 'created'
  elseif v ~= version then
    return redis.error_reply('CRAWL job data of version ' .. v .. ', this crawl writes ' .. version)
  elseif redis.call('HGET', meta, 'config') ~= config then
    return redis.error_reply('CRAWL the job was started with other options or start URLs:\n  job:  ' ..
      (redis.call('HGET', meta, 'config') or '') .. '\n  here: ' .. config)
  end
  redis.call('HSETNX', p .. 'nodes', node, 0)
  redis.call('SET', p .. 'alive:' .. node, '1', 'PX', lease)
  return how
end)

-- admit(P, node, depth, limit_follow, limit_external, max_queue, links...):
-- start URLs (depth 0) and sitemap seeds.
redis.register_function('crawl_admit', function(_, a)
  admit_all(a[1], a, 7, '', tonumber(a[3]), tonumber(a[4]), tonumber(a[5]), tonumber(a[6]))
  return 1
end)

-- complete(P, node, fp, limit_follow, limit_external, max_queue, links...):
-- the URL's fetch (or decision) is over: its links join at its current
-- depth + 1 and its record is held by node. Returns {depth, parent or
-- false, news}; depth -1 when the URL is no longer node's (done, or
-- redone elsewhere).
redis.register_function('crawl_complete', function(_, a)
  local p, node, fp = a[1], a[2], a[3]
  local s, d, o = get(p, fp)
  if not s or not (((s == 'A' or s == 'P') and o == node) or s == 'Q') then
    return {-1, false, news(p, node)}
  end
  local item = redis.call('HGET', p .. 'item', fp)
  if not item then return {-1, false, news(p, node)} end
  local host, url, parent = split_item(item)
  if s == 'Q' then -- taken again after a lost reply: no longer queued
    redis.call('ZREM', p .. 'q:' .. host, fp)
    redis.call('SADD', p .. 'inf:' .. node, fp)
  end
  admit_all(p, a, 7, url, d + 1, tonumber(a[4]), tonumber(a[5]), tonumber(a[6]))
  if s ~= 'P' then unf(p, d, -1) end
  put(p, fp, 'P', d, node)
  return {d, parent, news(p, node)}
end)

-- reexpand(P, node, message, fp, limit_follow, limit_external,
-- max_queue, links...): node read an inbox message (fp lowered): the
-- links join again at the current depth + 1 and the message goes.
-- Returns news.
redis.register_function('crawl_reexpand', function(_, a)
  local p, node, msg, fp = a[1], a[2], a[3], a[4]
  if redis.call('LREM', p .. 'inbox:' .. node, 1, msg) == 0 then return news(p, node) end
  local s, d, o = get(p, fp)
  local item = redis.call('HGET', p .. 'item', fp)
  if s == 'P' and o == node and item then
    local _, url = split_item(item)
    admit_all(p, a, 8, url, d + 1, tonumber(a[5]), tonumber(a[6]), tonumber(a[7]))
  end
  unf(p, tonumber(string.match(msg, '^[^|]*|[^|]*|(%-?%d+)|')), -1)
  return news(p, node)
end)

-- done(P, node, fp...): node wrote these records.
redis.register_function('crawl_done', function(_, a)
  local p, node = a[1], a[2]
  local n = 0
  for i = 3, #a do
    local fp = a[i]
    local s, d, o = get(p, fp)
    if (s == 'A' or s == 'P') and o == node then
      if s == 'A' then unf(p, d, -1) end
      put(p, fp, 'D', d)
      redis.call('HDEL', p .. 'item', fp)
      redis.call('SREM', p .. 'inf:' .. node, fp)
      redis.call('SREM', p .. 'nf', fp)
      n = n + 1
    end
  end
  redis.call('HINCRBY', p .. 'cnt', 'done', n)
  if redis.call('HEXISTS', p .. 'nodes', node) == 1 then
    redis.call('HINCRBY', p .. 'nodes', node, n)
  end
  return n
end)

-- node keeps its lease on host, or takes it again if it lapsed (Redis was
-- away longer than the lease) and no other node took it meanwhile.
local function keep_lease(p, node, host, lease)
  local k = p .. 'lease:' .. host
  local v = redis.call('GET', k)
  if v == node then
    redis.call('PEXPIRE', k, lease)
    return true
  end
  if not v then
    redis.call('SET', k, node, 'PX', lease)
    return true
  end
  return false
end

-- --max-pages for the whole job: URLs given out to fetch are counted;
-- past the limit they go out as max_pages records.
local function pop(p, node, host, want, out, maxp)
  local got = redis.call('ZPOPMIN', p .. 'q:' .. host, want)
  for i = 1, #got, 2 do
    local fp = got[i]
    local s, d = get(p, fp)
    local item = redis.call('HGET', p .. 'item', fp)
    if s == 'Q' and item then
      local _, url, parent, kind = split_item(item)
      if maxp > 0 and (kind == 'f' or kind == 'x') then
        if tonumber(redis.call('HGET', p .. 'cnt', 'started') or '0') >= maxp then
          kind = 's:max_pages'
        else
          redis.call('HINCRBY', p .. 'cnt', 'started', 1)
        end
      end
      put(p, fp, 'A', d, node)
      redis.call('SADD', p .. 'inf:' .. node, fp)
      out[#out + 1] = {host, fp, d, url, parent, kind}
    end
  end
  if redis.call('ZCARD', p .. 'q:' .. host) == 0 then
    redis.call('SREM', p .. 'hostq', host)
    return 0
  end
  return 1
end

-- claim(P, node, id, lease_ms, new_hosts, batch, max_pages, host, want...):
-- more URLs of hosts node leases, and up to new_hosts more hosts. Returns
-- {items, leased, lost}: items {host, fp, depth, url, parent, kind};
-- leased {host, robots or false}: hosts node now leases; lost: hosts
-- whose lease went to another node; then news.
redis.register_function('crawl_claim', function(_, a)
  local p, node, id, lease = a[1], a[2], a[3], tonumber(a[4])
  local nnew, batch, maxp = tonumber(a[5]), tonumber(a[6]), tonumber(a[7])
  local old = cached(p, 'claim', node, id)
  if old then return {old[1], old[2], old[3], news(p, node)} end
  local items, leased, lost = {}, {}, {}
  for i = 8, #a, 2 do
    local host = a[i]
    if keep_lease(p, node, host, lease) then
      pop(p, node, host, tonumber(a[i + 1]), items, maxp)
    else
      redis.call('SREM', p .. 'held:' .. node, host)
      lost[#lost + 1] = host
    end
  end
  nnew = math.min(nnew, share(p) - redis.call('SCARD', p .. 'held:' .. node))
  if nnew > 0 then
    local tries = redis.call('SRANDMEMBER', p .. 'hostq', nnew * 4)
    for _, host in ipairs(tries) do
      if nnew == 0 then break end
      if redis.call('SET', p .. 'lease:' .. host, node, 'NX', 'PX', lease) then
        redis.call('SADD', p .. 'held:' .. node, host)
        local sm = redis.call('HGET', p .. 'sm', host) == 'pending'
        if sm then redis.call('SADD', p .. 'smdoing:' .. node, host) end
        leased[#leased + 1] = {host, redis.call('HGET', p .. 'robots', host) or false,
          sm and 1 or 0}
        pop(p, node, host, batch, items, maxp)
        nnew = nnew - 1
      end
    end
  end
  cache(p, 'claim', node, id, {items, leased, lost})
  return {items, leased, lost, news(p, node)}
end)

-- release(P, node, force, host...): node is idle on these hosts. A host
-- with nothing queued is let go (with force = 1, any: node holds more
-- than its share); the others stay node's. Returns the hosts let go.
redis.register_function('crawl_release', function(_, a)
  local p, node, force = a[1], a[2], a[3] == '1'
  local out = {}
  for i = 4, #a do
    local host = a[i]
    local mine = redis.call('GET', p .. 'lease:' .. host) == node
    if not mine or force or redis.call('ZCARD', p .. 'q:' .. host) == 0 then
      if mine then redis.call('DEL', p .. 'lease:' .. host) end
      redis.call('SREM', p .. 'held:' .. node, host)
      out[#out + 1] = host
    end
  end
  return out
end)

-- handoff(P, node, fp, target_fp, target_host, chain): node's URL fp
-- redirected to another host: the chain goes on at whichever node leases
-- target_host. The URL is queued there again, its item kind "r:" + chain
-- (the target and the hops so far, as node.c encodes them). Returns 0
-- (handed), 1 (the target is known already: the chain ends at node) or -1
-- (fp is not node's any more).
redis.register_function('crawl_handoff', function(_, a)
  local p, node, fp, tfp, thost = a[1], a[2], a[3], a[4], a[5]
  local s, _, o = get(p, fp)
  local item = redis.call('HGET', p .. 'item', fp)
  if not (s == 'A' and o == node and item) then return -1 end
  if redis.call('HEXISTS', p .. 'seen', tfp) == 1 then return 1 end
  put(p, tfp, 'H', 0)
  local _, url, parent = split_item(item)
  redis.call('HSET', p .. 'item', fp, thost .. '\t' .. url .. '\t' .. parent .. '\tr:' .. a[6])
  requeue(p, node, fp)
  return 0
end)

-- giveback(P, node, fp...): URLs node took and will not fetch (it lost
-- their host's lease) go back to their queues.
redis.register_function('crawl_giveback', function(_, a)
  local p, node = a[1], a[2]
  local n = 0
  for i = 3, #a do
    if get(p, a[i]) == 'A' then n = n + requeue(p, node, a[i]) end
  end
  return n
end)

-- smdone(P, node, host...): node read these hosts' sitemaps (their
-- URLs were admitted before this call): depth 0 is not pinned for them any
-- more.
redis.register_function('crawl_smdone', function(_, a)
  local p, node = a[1], a[2]
  for i = 3, #a do
    redis.call('SREM', p .. 'smdoing:' .. node, a[i])
    if redis.call('HGET', p .. 'sm', a[i]) == 'pending' then
      redis.call('HSET', p .. 'sm', a[i], 'done')
      unf(p, 0, -1)
    end
  end
  return 1
end)

-- robots(P, host, value): host's robots.txt, kept for the whole job.
redis.register_function('crawl_robots', function(_, a)
  redis.call('HSETNX', a[1] .. 'robots', a[2], a[3])
  return 1
end)

-- poll(P, node, lease_ms): node is alive and keeps its leases; dead nodes'
-- URLs are queued again. Returns {news, lost hosts, reclaimed, hosts per
-- node, 1 when node itself had been taken for dead}.
redis.register_function('crawl_poll', function(_, a)
  local p, node, lease = a[1], a[2], tonumber(a[3])
  redis.call('SET', p .. 'alive:' .. node, '1', 'PX', lease)
  -- back in nodes: it had been taken for dead (silent past its lease) and
  -- everything it held was queued again
  local dead = redis.call('HSETNX', p .. 'nodes', node, 0)
  local lost = {}
  for _, host in ipairs(redis.call('SMEMBERS', p .. 'held:' .. node)) do
    if not keep_lease(p, node, host, lease) then
      redis.call('SREM', p .. 'held:' .. node, host)
      lost[#lost + 1] = host
    end
  end
  local reclaimed = 0
  for _, n in ipairs(redis.call('HKEYS', p .. 'nodes')) do
    if n ~= node and redis.call('EXISTS', p .. 'alive:' .. n) == 0 then
      reclaimed = reclaimed + reclaim(p, n, 'dead')
    end
  end
  return {news(p, node), lost, reclaimed, share(p), dead}
end)

-- nofollow(P, node, id, n): up to n URLs seen only through nofollow links,
-- once nothing else is left: {fp, depth, url, parent, ...}. Each goes to
-- one node, which writes its record (crawl_done).
redis.register_function('crawl_nofollow', function(_, a)
  local p, node, id = a[1], a[2], a[3]
  local old = cached(p, 'nfclaim', node, id)
  if old then return old end
  local out = {}
  for _, fp in ipairs(redis.call('SPOP', p .. 'nf', tonumber(a[4]))) do
    local s, d = get(p, fp)
    local item = redis.call('HGET', p .. 'item', fp)
    if s == 'N' and item then
      local _, url, parent = split_item(item)
      put(p, fp, 'P', d, node)
      redis.call('SADD', p .. 'inf:' .. node, fp)
      out[#out + 1] = {fp, d, url, parent}
    end
  end
  return cache(p, 'nfclaim', node, id, out)
end)

-- hop(P, fp): a redirect target: 1 when it is known already, else it
-- becomes a hop of the chain that reached it (known from now on) and 0.
redis.register_function('crawl_hop', function(_, a)
  if redis.call('HEXISTS', a[1] .. 'seen', a[2]) == 1 then return 1 end
  put(a[1], a[2], 'H', 0)
  return 0
end)

-- leave(P, node): node stops (the job is over, or it was interrupted):
-- whatever it took and did not write goes back to the queues at once.
redis.register_function('crawl_leave', function(_, a)
  local p, node = a[1], a[2]
  redis.call('DEL', p .. 'alive:' .. node)
  if redis.call('HEXISTS', p .. 'nodes', node) == 0 then return 0 end
  return reclaim(p, node, 'left')
end)

-- status(P): {version, config, unfinished, held, done, reclaimed, dead,
-- queued, {node, alive, taken, done}...}
redis.register_function('crawl_status', function(_, a)
  local p = a[1]
  local _, total, held = totals(p)
  local queued = 0
  for _, host in ipairs(redis.call('SMEMBERS', p .. 'hostq')) do
    queued = queued + redis.call('ZCARD', p .. 'q:' .. host)
  end
  local nodes = {}
  local nd = redis.call('HGETALL', p .. 'nodes')
  for i = 1, #nd, 2 do
    nodes[#nodes + 1] = {nd[i], redis.call('EXISTS', p .. 'alive:' .. nd[i]) == 1 and 'alive' or 'not answering',
      redis.call('SCARD', p .. 'inf:' .. nd[i]), tonumber(nd[i + 1])}
  end
  for _, h in ipairs({'left', 'dead'}) do
    local x = redis.call('HGETALL', p .. h)
    for i = 1, #x, 2 do
      nodes[#nodes + 1] = {x[i], h == 'left' and 'finished' or 'dead (its URLs were redone)', 0, tonumber(x[i + 1])}
    end
  end
  local c = {redis.call('HGET', p .. 'cnt', 'done'), redis.call('HGET', p .. 'cnt', 'reclaimed'),
    redis.call('HLEN', p .. 'dead')}
  return {redis.call('HGET', p .. 'meta', 'version') or false,
    redis.call('HGET', p .. 'meta', 'config') or false, total, held,
    tonumber(c[1] or 0), tonumber(c[2] or 0), tonumber(c[3] or 0), queued,
    redis.call('SCARD', p .. 'nf'), nodes}
end)
