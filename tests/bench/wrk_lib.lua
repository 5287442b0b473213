-- wrk_lib.lua — what the wrk scripts of tests/bench share (events.lua,
-- recommend.lua, post_action_type.lua): the thread numbering, the API
-- request headers, a cheap request() over bodies built at init, the count
-- of answers and non-200s, and a done() that sums each thread's counters into one summary line the shell
-- scripts parse. Loaded with dofile from the script's own directory:
--
--   local lib = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_lib.lua")
--
-- wrk runs every script in one Lua state per thread plus a main one; each
-- loads its own copy of this file.

local M = {}

local threads = {}

-- setup(thread): wrk's hook, in the main state once per thread before the
-- run; numbers the threads 1, 2, ... in each thread's global tid.
function M.setup(thread)
	table.insert(threads, thread)
	thread:set("tid", #threads)
end

-- headers(key): the headers of an authenticated JSON request with API_KEY key.
function M.headers(key)
	return {
		["Authorization"] = "Bearer " .. key,
		["Content-Type"] = "application/json",
	}
end

-- seed(): seeds math.random differently in each thread (after setup set tid).
function M.seed()
	math.randomseed(os.time() + 7919 * tid)
end

-- picker(requests): a request() for wrk that returns one of the prebuilt
-- requests (a non-empty list) at random, so the run itself stays cheap.
function M.picker(requests)
	local n = #requests
	return function()
		return requests[math.random(1, n)]
	end
end

-- counted(status): for response(): counts one answer in the thread's
-- globals responses and, when status is not 200, non200 (the calling
-- script's init sets both to 0); true for a 200, whose body is then checked.
function M.counted(status)
	responses = responses + 1
	if status ~= 200 then
		non200 = non200 + 1
		return false
	end
	return true
end

-- summary(name, fields): a done() for wrk that sums the global counters
-- named in fields (a list) over every thread and writes one line,
--   NAME: field1=N field2=N ...
-- in the order of fields.
function M.summary(name, fields)
	return function(summary, latency, reqs)
		local parts = {}
		for i, k in ipairs(fields) do
			local total = 0
			for _, thread in ipairs(threads) do
				total = total + (thread:get(k) or 0)
			end
			parts[i] = string.format("%s=%d", k, total)
		end
		io.write(name .. ": " .. table.concat(parts, " ") .. "\n")
	end
end

return M
