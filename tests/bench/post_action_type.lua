-- post_action_type.lua — wrk script for tests/bench/run.sh: every request
-- registers a new action type, POST /api/external/action-types.
--
--   wrk ... -s post_action_type.lua URL -- API_KEY TAG
--
-- Names are bench_<TAG>_<thread>_<counter>: unique within one wrk run per
-- thread, and across runs as long as each run passes its own TAG (letters
-- and digits). All of them match ^[a-z][a-z0-9]*(_[a-z0-9]+)*$. The
-- thread numbering and headers are wrk_lib.lua's.

local lib = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_lib.lua")

setup = lib.setup

local headers, tag, n

function init(args)
	local key = args[1] or error("post_action_type.lua: API key argument missing")
	tag = args[2] or "r"
	if not tag:match("^[a-z0-9]+$") then
		error("post_action_type.lua: TAG must be lowercase letters and digits: " .. tag)
	end
	headers = lib.headers(key)
	n = 0
end

local body_head = '{"name":"'
local body_tail = '","description":"bench","provider":"bench",'
	.. '"parameters_schema":{"type":"object","properties":{"amount":{"type":"integer","minimum":1}}},'
	.. '"delivery_webhook":"https://hooks.example.com/bench"}'

function request()
	n = n + 1
	local name = "bench_" .. tag .. "_" .. tid .. "_" .. n
	return wrk.format("POST", nil, headers, body_head .. name .. body_tail)
end
