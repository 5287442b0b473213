-- recommend.lua — wrk script for tests/bench/recommend.sh: every request is
-- POST /api/decisions/recommend for a random user of the generated tenant.
--
--   wrk ... -s recommend.lua URL -- API_KEY USERS ACTIONS
--
-- USERS is the size of the pool (user ids user-0 .. user-(USERS-1)),
-- ACTIONS a comma list of the action type names every request offers.
-- Bodies are built once per thread at init (BODIES random users):
-- request() only picks one, to keep wrk cheap.
--
-- Each answer is checked: anything but 200, or a 200 without a
-- decision_id and recommendation, counts as bad. done() prints one line,
--   recommend.lua: responses=R non200=B norec=N
-- for recommend.sh to report. The thread numbering, headers, request(),
-- the answer count and done() are wrk_lib.lua's.

local lib = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_lib.lua")

setup = lib.setup

local BODIES = 2000

function init(args)
	local key = args[1] or error("recommend.lua: API key argument missing")
	local users = tonumber(args[2] or error("recommend.lua: USERS argument missing"))
	local actions = args[3] or error("recommend.lua: ACTIONS argument missing")
	local quoted = {}
	for name in actions:gmatch("[^,]+") do
		quoted[#quoted + 1] = '"' .. name .. '"'
	end
	local list = "[" .. table.concat(quoted, ",") .. "]"
	local headers = lib.headers(key)
	lib.seed()
	local requests = {}
	for i = 1, BODIES do
		local body = '{"user_id":"user-' .. math.random(0, users - 1)
			.. '","available_actions":' .. list .. '}'
		requests[i] = wrk.format("POST", nil, headers, body)
	end
	request = lib.picker(requests)
	responses, non200, norec = 0, 0, 0
end

function response(status, headers, body)
	if not lib.counted(status) then
		return
	end
	if not body:find('"decision_id"', 1, true) or not body:find('"recommendation"%s*:%s*{') then
		norec = norec + 1
	end
end

-- Runs in the main Lua state after the run.
done = lib.summary("recommend.lua", { "responses", "non200", "norec" })
