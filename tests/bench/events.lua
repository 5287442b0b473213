-- events.lua — wrk script for tests/bench/run.sh: custom events, one per
-- request (POST /api/external/events/emit) or in batches
-- (POST /api/external/events).
--
--   wrk ... -s events.lua URL -- API_KEY emit|batch [USERS] [BATCH_SIZE]
--
-- Every event is {"type":"custom.bench.tick","user_id":"u-N","data":{"n":1}}
-- with N drawn from a pool of USERS ids (default 1,000), so users are reused
-- as in real traffic. The requests are built once per thread at init (one
-- per user for emit, a handful of batches of BATCH_SIZE events, default
-- 100, for batch): request() only picks one, to keep wrk cheap.
--
-- Each answer is checked: anything but 200 counts as bad, and the
-- "accepted" figures of the 200s are summed. done() prints one line,
--   events.lua: responses=R non200=B accepted=A duplicates=D unparsed=U
-- for run.sh to compare with the events the database holds. The thread
-- numbering, headers, request(), the answer count and done() are
-- wrk_lib.lua's.

local lib = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_lib.lua")

setup = lib.setup

local BATCH_BODIES = 16

local function event(user)
	return '{"type":"custom.bench.tick","user_id":"u-' .. user .. '","data":{"n":1}}'
end

function init(args)
	local key = args[1] or error("events.lua: API key argument missing")
	local mode = args[2] or error("events.lua: mode argument (emit or batch) missing")
	local users = tonumber(args[3] or "1000")
	local size = tonumber(args[4] or "100")
	local headers = lib.headers(key)
	lib.seed()
	local requests = {}
	if mode == "emit" then
		for u = 0, users - 1 do
			requests[#requests + 1] = wrk.format("POST", nil, headers, event(u))
		end
	elseif mode == "batch" then
		for _ = 1, BATCH_BODIES do
			local ev = {}
			for i = 1, size do
				ev[i] = event(math.random(0, users - 1))
			end
			requests[#requests + 1] = wrk.format("POST", nil, headers,
				'{"events":[' .. table.concat(ev, ",") .. ']}')
		end
	else
		error("events.lua: mode must be emit or batch: " .. mode)
	end
	request = lib.picker(requests)
	responses, non200, accepted, duplicates, unparsed = 0, 0, 0, 0, 0
end

function response(status, headers, body)
	if not lib.counted(status) then
		return
	end
	local a = body:match('"accepted"%s*:%s*(%d+)')
	local d = body:match('"duplicates"%s*:%s*(%d+)')
	if a == nil or d == nil then
		unparsed = unparsed + 1
		return
	end
	accepted = accepted + tonumber(a)
	duplicates = duplicates + tonumber(d)
end

-- Runs in the main Lua state after the run.
done = lib.summary("events.lua", { "responses", "non200", "accepted", "duplicates", "unparsed" })
