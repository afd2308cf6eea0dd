#!/usr/bin/env bash
# Generate tests/bad/fields/: one bad scenario per declaration field (and per argument
# of the calls a task makes), each giving that field a value of the wrong type, with
# the line and the message `wbsim run` must report.  The files are checked in (they
# seed the fuzzer too); `gen_fields.sh --check` fails when they differ from what this
# script writes, so edit the table below, never the files.
#
#   bash tests/bad/gen_fields.sh            rewrite tests/bad/fields/
#   bash tests/bad/gen_fields.sh --check    compare only (a ctest test)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=$here/fields
tmp=$(mktemp -d "${TMPDIR:-/tmp}/wbsim-gen-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# name | where the code goes | the code | a fragment of the expected message
#   top: at the top level; task: inside a task of process p; pin: the same, after
#   `local pin = m:pin(0, 8192)`.  Every case has f (a File), p (a Process) and m (a
#   Mapping of f in p) declared before it.
table=$(cat <<'EOF'
scenario_args|top|sim.scenario("demo")|sim.scenario: expected a table of fields ({...}), got string
scenario_name|top|sim.scenario{ name = 42 }|sim.scenario: name must be a string, got number
scenario_description|top|sim.scenario{ description = {} }|sim.scenario: description must be a string, got table
scenario_duration|top|sim.scenario{ duration = true }|sim.scenario: duration: expected a duration
scenario_policies|top|sim.scenario{ policies = "page-fork" }|sim.scenario: policies must be a list of policy specs, got string
scenario_policies_item|top|sim.scenario{ policies = { "bounce", false } }|sim.scenario: policies[2] must be a policy spec
param_name|top|sim.param({}, 1, "a number")|bad argument #1 to 'param' (string expected, got table)
param_default|top|sim.param("n", {}, "a number")|sim.param: the default of n must be a number, a string or a boolean, got table
param_description|top|sim.param("n", 1, 2)|sim.param: the description of n must be a string, got number
device_args|top|sim.device("ssd")|sim.device: expected a table of fields ({...}), got string
device_model|top|sim.device{ model = 42 }|sim.device: model: expected one of "ssd", "hdd", got number
device_write_latency|top|sim.device{ write_latency = true }|sim.device: write_latency: expected a duration
device_read_latency|top|sim.device{ read_latency = {} }|sim.device: read_latency: expected a duration
device_flush_latency|top|sim.device{ flush_latency = false }|sim.device: flush_latency: expected a duration
device_bandwidth|top|sim.device{ bandwidth = true }|sim.device: bandwidth: expected a rate
device_jitter|top|sim.device{ jitter = "high" }|sim.device: jitter: expected a number, got string
device_queue_depth|top|sim.device{ queue_depth = "deep" }|sim.device: queue_depth: expected a number, got string
device_scheduler|top|sim.device{ scheduler = true }|sim.device: scheduler: expected one of "none", "reorder", "elevator", got boolean
device_max_request|top|sim.device{ max_request = true }|sim.device: max_request: expected a size
device_integrity|top|sim.device{ integrity = "yes" }|sim.device: integrity: expected true or false, got string
device_stable_writes|top|sim.device{ stable_writes = 1 }|sim.device: stable_writes: expected true or false, got number
device_write_cache|top|sim.device{ write_cache = "no" }|sim.device: write_cache: expected true or false, got string
device_dma_at|top|sim.device{ dma_at = "half" }|sim.device: dma_at: expected a number, got string
device_seek|top|sim.device{ seek = true }|sim.device: seek: expected a duration
device_rotation|top|sim.device{ rotation = {} }|sim.device: rotation: expected a duration
writeback_args|top|sim.writeback(true)|sim.writeback: expected a table of fields ({...}), got boolean
writeback_memory|top|sim.writeback{ memory = true }|sim.writeback: memory: expected a size
writeback_dirty_background_ratio|top|sim.writeback{ dirty_background_ratio = "ten" }|sim.writeback: dirty_background_ratio: expected a number, got string
writeback_dirty_ratio|top|sim.writeback{ dirty_ratio = true }|sim.writeback: dirty_ratio: expected a number, got boolean
writeback_interval|top|sim.writeback{ interval = true }|sim.writeback: interval: expected a duration
writeback_expire|top|sim.writeback{ expire = {} }|sim.writeback: expire: expected a duration
writeback_chunk|top|sim.writeback{ chunk = "big" }|sim.writeback: chunk: expected a number, got string
costs_args|top|sim.costs(1)|sim.costs: expected a table of fields ({...}), got number
costs_syscall|top|sim.costs{ syscall = true }|sim.costs: syscall: expected a duration
costs_copy_page|top|sim.costs{ copy_page = {} }|sim.costs: copy_page: expected a duration
costs_checksum_page|top|sim.costs{ checksum_page = false }|sim.costs: checksum_page: expected a duration
costs_fault|top|sim.costs{ fault = true }|sim.costs: fault: expected a duration
costs_pte_update|top|sim.costs{ pte_update = {} }|sim.costs: pte_update: expected a duration
costs_tlb_shootdown|top|sim.costs{ tlb_shootdown = true }|sim.costs: tlb_shootdown: expected a duration
costs_page_alloc|top|sim.costs{ page_alloc = false }|sim.costs: page_alloc: expected a duration
file_args|top|sim.file("data2")|sim.file: expected a table of fields ({...}), got string
file_name|top|sim.file{ name = 42, size = "1MiB" }|sim.file: name must be a string, got number
file_size|top|sim.file{ name = "data2", size = true }|sim.file: size: expected a size
process_args|top|sim.process("db2")|sim.process: expected a table of fields ({...}), got string
process_name|top|sim.process{ name = 42 }|sim.process: name must be a string, got number
mmap_self|top|p.mmap(f, f)|proc:mmap: expected a Process, got File
mmap_file|top|p:mmap("data")|proc:mmap: argument 1: expected a File, got string
mmap_args|top|p:mmap(f, 4096)|proc:mmap: expected a table of fields ({...}), got number
mmap_offset|top|p:mmap(f, { offset = true })|proc:mmap: offset: expected a size
mmap_size|top|p:mmap(f, { size = {} })|proc:mmap: size: expected a size
spawn_name|top|sim.spawn(42, function() end)|sim.spawn: argument 1 must be the task's name, got number
spawn_function|top|sim.spawn("t2", "main")|sim.spawn: argument 2 must be the task's function, got string
spawn_args|top|sim.spawn("t2", function() end, "db")|sim.spawn: expected a table of fields ({...}), got string
spawn_process|top|sim.spawn("t2", function() end, { process = "db" })|sim.spawn: process: expected a Process, got string
spawn_cpu|top|sim.spawn("t2", function() end, { cpu = "one" })|sim.spawn: cpu must be an integer from 0 to 255, got one
spawn_start|top|sim.spawn("t2", function() end, { start = true })|sim.spawn: start: expected a duration
expect_args|top|sim.expect("lost_writes = 0")|sim.expect: expected a table {[policy pattern] = {metric = predicate}}, got string
expect_pattern|top|sim.expect{ { lost_writes = 0 } }|sim.expect: keys must be policy specs or patterns such as "*", got number
expect_metrics|top|sim.expect{ ["*"] = 0 }|sim.expect["*"]: expected a table {metric = predicate}, got number
expect_metric|top|sim.expect{ ["*"] = { 0 } }|sim.expect["*"]: metric names must be strings, got number
expect_predicate|top|sim.expect{ ["*"] = { lost_writes = true } }|sim.expect["*"]: the predicate for lost_writes must be a number or a string such as "<5ms", got boolean
event_name|top|sim.event(42)|sim.event: the name must be a string, got number
fio_args|top|sim.fio("job")|sim.fio: expected a table of fio options, got string
fio_name|top|sim.fio{ name = 42, size = "1MiB" }|sim.fio: name must be a non-empty string
fio_rw|top|sim.fio{ name = "j", size = "1MiB", rw = 1 }|sim.fio: rw must be one of read, write, randread, randwrite, rw, readwrite, randrw; got 1
fio_bs|top|sim.fio{ name = "j", size = "1MiB", bs = true }|sim.fio: bs: expected a size
fio_numjobs|top|sim.fio{ name = "j", size = "1MiB", numjobs = "2" }|sim.fio: numjobs must be an integer from 1 to 4096, got 2
fio_runtime|top|sim.fio{ name = "j", size = "1MiB", runtime = {} }|sim.fio: runtime: expected a duration
fio_file|top|sim.fio{ name = "j", file = "data" }|sim.fio: file must be a File (sim.file{...}), got data
fio_process|top|sim.fio{ name = "j", size = "1MiB", process = 1 }|sim.fio: process must be a Process (sim.process{...}), got 1
pwrite_self|task|f.pwrite(m, 0, 4096)|f:pwrite: expected a File, got Mapping
pwrite_offset|task|f:pwrite(true, 4096)|f:pwrite: offset: expected a number of bytes, got boolean
pwrite_length|task|f:pwrite(0, {})|f:pwrite: length: expected a number of bytes, got table
pread_offset|task|f:pread({}, 4096)|f:pread: offset: expected a number of bytes, got table
pread_length|task|f:pread(0, nil)|f:pread: length: missing (a number of bytes)
sync_range_how|task|f:sync_range(0, 4096, 1)|f:sync_range: how must be "write", "wait" or "write_wait", got 1
dio_write_args|task|f:dio_write(0, 4096, 42)|f:dio_write: argument 3 must be a table {from = mapping or buffer, at = offset, async = true}, got number
dio_write_from|task|f:dio_write(0, 4096, { from = f })|f:dio_write: from: expected a Mapping or a Buffer, got File
dio_write_async|task|f:dio_write(0, 4096, { async = 1 })|f:dio_write: async: expected true or false, got number
dio_read_to|task|f:dio_read(0, 4096, { to = m })|f:dio_read: to: expected a Buffer, got Mapping
alloc_size|top|p:alloc(true)|proc:alloc: size: expected a size
buf_store_offset|task|p:alloc(8192):store({}, 4096)|buf:store: offset: expected a number of bytes, got table
buf_load_length|task|p:alloc(8192):load(0, false)|buf:load: length: expected a number of bytes, got boolean
pin_longterm|task|m:pin(0, 4096, { longterm = "yes" })|m:pin: longterm: expected true or false, got string
io_wait_self|task|f:dio_write(0, 4096, { async = true }).wait(f)|io:wait: expected an Io, got File
dio_write_at|task|f:dio_write(0, 4096, { from = m, at = true })|f:dio_write: at: expected a number of bytes, got boolean
dio_read_offset|task|f:dio_read(false, 4096)|f:dio_read: offset: expected a number of bytes, got boolean
store_offset|task|m:store({}, 4096)|m:store: offset: expected a number of bytes, got table
store_length|task|m:store(0, true)|m:store: length: expected a number of bytes, got boolean
load_offset|task|m:load(true, 1)|m:load: offset: expected a number of bytes, got boolean
msync_offset|task|m:msync({})|m:msync: offset: expected a number of bytes, got table
pin_length|task|m:pin(0, false)|m:pin: length: expected a number of bytes, got boolean
pin_write_offset|pin|pin:write({}, 4096)|pin:write: offset: expected a number of bytes, got table
pin_release_self|pin|pin.release(m)|pin:release: expected a Pin, got Mapping
join_self|task|sim.spawn("t2", function() end).join(f)|task:join: expected a Task, got File
sleep_duration|task|sim.sleep({})|sim.sleep: expected a duration
randint_lo|task|sim.randint(1.5, 2)|sim.randint: lo: expected an integer, got 1.5
randint_hi|task|sim.randint(1, "many")|sim.randint: hi: expected an integer, got string
event_wait_self|task|sim.event().wait(f)|ev:wait: expected an Event, got File
EOF
)

n=0
while IFS='|' read -r name where code msg; do
	[ -n "$name" ] || continue
	out=$tmp/field_$name.lua
	case "$where" in
	top)  line=9 ;;
	task) line=10 ;;
	pin)  line=11 ;;
	*) echo "gen_fields.sh: $name: bad place '$where'" >&2; exit 1 ;;
	esac
	{
		echo "-- Generated by tests/bad/gen_fields.sh (edit the table there): a wrong type."
		echo "-- exit: 2"
		echo "-- stderr: field_$name.lua:$line:"
		echo "-- stderr: $msg"
		echo 'local f = sim.file{ name = "data", size = "1MiB" }'
		echo 'local p = sim.process{ name = "db" }'
		echo 'local m = p:mmap(f)'
		echo '-- the wrong type:'
		case "$where" in
		top)
			echo "$code"
			;;
		task)
			echo 'sim.spawn("t", function()'
			echo "	$code"
			echo 'end, { process = p })'
			;;
		pin)
			echo 'sim.spawn("t", function()'
			echo '	local pin = m:pin(0, 8192)'
			echo "	$code"
			echo 'end, { process = p })'
			;;
		esac
	} >"$out"
	n=$((n + 1))
done <<<"$table"

if [ "${1:-}" = --check ]; then
	if ! diff -r "$tmp" "$dest" >"$tmp.diff" 2>&1; then
		cat "$tmp.diff" >&2
		rm -f "$tmp.diff"
		echo "tests/bad/fields/ is out of date: run bash tests/bad/gen_fields.sh" >&2
		exit 1
	fi
	rm -f "$tmp.diff"
	echo "tests/bad/fields/: $n cases, up to date"
	exit 0
fi
rm -rf "$dest"
mkdir -p "$dest"
cp "$tmp"/*.lua "$dest"/
echo "tests/bad/fields/: $n cases written"
