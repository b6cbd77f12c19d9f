# bench/measure.sh: the measuring half of bench/run (sourced).
#
# main_loop launches every server, records its idle RSS, then runs the
# cells: for each round, for each C, loadgen against each server in turn
# (in reverse order on even rounds).
# A cell adds up, per server and C: connections, errors, the master's CPU
# ticks and the whole machine's busy ticks; it keeps each round's conn/s
# with its latencies so print_table can show the median round.
#
# CPU per connection ("cpu/conn"): the master's utime+stime+cutime+cstime
# from /proc/PID/stat, before the cell and after it, divided by the
# connections served.  cutime/cstime hold the children the master has
# reaped, so this is the master plus every child and exec'd handler.  A
# flush connection after each cell makes servers that reap only on their
# next accept (forkserver, spawnserver) collect the cell's last children.
# "sys/conn" cross-checks it: all busy ticks of the machine (/proc/stat)
# during the cell, less loadgen's own CPU, per connection; it includes
# the kernel's loopback TCP work and anything else running.

declare -A PIDOF PORTOF STATUS IDLE PRIV ROUNDS OK ERR KINDS CPU SYS RSS FDS

# proc_cpu PID: utime+stime+cutime+cstime in clock ticks.
proc_cpu() {
	local s

	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	s=${s##*) }
	# shellcheck disable=SC2086 # one positional parameter per field of stat
	set -- $s
	echo $(( ${12} + ${13} + ${14} + ${15} ))
}

# sys_busy: the machine's busy ticks (all but idle and iowait).
sys_busy() {
	local user nice system irq softirq steal rest

	read -r _ user nice system _ _ irq softirq steal rest \
	    < /proc/stat
	echo $(( user + nice + system + irq + softirq + steal ))
}

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# priv_kb PID: what of the RSS is the process's own (private clean and
# dirty pages), without the shared libraries' pages it maps.
priv_kb() {
	awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s + 0 }' \
	    "/proc/$1/smaps_rollup" 2>/dev/null
}

nfds() {
	# shellcheck disable=SC2012 # /proc/PID/fd holds numeric names only
	ls "/proc/$1/fd" 2>/dev/null | wc -l
}

# field KEY LINE: one value of loadgen's "-m" line.
field() {
	local line=" $2"

	line=${line##* "$1"=}
	echo "${line%% *}"
}

# kinds LINE: the error kinds that are not zero, "reset 2 timeout 1".
kinds() {
	local k v out=""

	for k in refused reset timeout wrong other; do
		v=$(field "$k" "$1")
		[ "$v" = 0 ] || out="$out $k $v"
	done
	echo "${out# }"
}

# cell NAME C: one loadgen run; adds its numbers to NAME/C.
cell() {
	local name=$1 c=$2 k="$1/$2" pid=${PIDOF[$1]} port=${PORTOF[$1]}
	local out cpu0 cpu1 s0 s1 ok lg err

	cpu0=$(proc_cpu "$pid")
	s0=$(sys_busy)
	out=$("$W/loadgen" -m -c "$c" -n "$COUNT" -T "$SECS" -t "$TIMEOUT" \
	    127.0.0.1 "$port")
	s1=$(sys_busy)
	sleep 0.1
	answers "$port" && ok=1 || ok=0
	sleep 0.05
	cpu1=$(proc_cpu "$pid")
	ok=$(( $(field ok "$out") + ok ))
	lg=$(awk -v c="$(field cpu "$out")" -v hz="$HZ" \
	    'BEGIN { printf "%d", c * hz + 0.5 }')
	err=$(field err "$out")
	OK[$k]=$(( ${OK[$k]:-0} + ok ))
	ERR[$k]=$(( ${ERR[$k]:-0} + err ))
	[ "$err" = 0 ] || KINDS[$k]="${KINDS[$k]:-} $(kinds "$out")"
	CPU[$k]=$(( ${CPU[$k]:-0} + cpu1 - cpu0 ))
	SYS[$k]=$(( ${SYS[$k]:-0} + s1 - s0 - lg ))
	ROUNDS[$k]="${ROUNDS[$k]:-} $(field cps "$out"):$(field p50 "$out")"
	ROUNDS[$k]="${ROUNDS[$k]}:$(field p99 "$out")"
	# shellcheck disable=SC2034 # read by bench/table.sh or bench/run, which share these globals
	RSS[$k]=$(rss_kb "$pid")
	# shellcheck disable=SC2034 # read by bench/table.sh or bench/run, which share these globals
	FDS[$k]=$(nfds "$pid")
	log "$name C=$c: $out"
}

start_all() {
	local name rc

	for name in $SERVERS; do
		launch "$name"
		rc=$?
		case $rc in
		0)	STATUS[$name]=up
			PIDOF[$name]=$PID
			# shellcheck disable=SC2153 # PORT is set by launch in bench/servers.sh
			PORTOF[$name]=$PORT
			IDLE[$name]=$(rss_kb "$PID")
			PRIV[$name]=$(priv_kb "$PID")
			log "$name: pid $PID, port $PORT," \
			    "idle RSS ${IDLE[$name]} kB," \
			    "private ${PRIV[$name]} kB" ;;
		2)	STATUS[$name]="skipped (not installed)"
			log "$name: skipped (not installed)" ;;
		*)	STATUS[$name]="failed to start (see its log)"
			FAILED=1
			log "$name: failed to start" ;;
		esac
	done
}

# order ROUND: the servers in the order of that round.  Even rounds go
# backwards, so that a machine which slows down (or speeds up) during a
# round favours no server: over two rounds each one is measured as often
# early as late, and servers far apart in the list meet the same drift
# (exactly so with an even number of rounds).
order() {
	local name out=""

	for name in $SERVERS; do
		if [ $(( $1 % 2 )) = 0 ]; then
			out="$name $out"
		else
			out="$out $name"
		fi
	done
	# shellcheck disable=SC2086 # unquoted: the list folded to one line
	echo $out
}

main_loop() {
	local round c name

	FAILED=0
	print_header
	start_all
	for round in $(seq "$RUNS"); do
		for c in $CONCS; do
			for name in $(order "$round"); do
				[ "${STATUS[$name]}" = up ] || continue
				kill -0 "${PIDOF[$name]}" 2>/dev/null || {
					STATUS[$name]="died during the run"
					# shellcheck disable=SC2034 # FAILED is read by bench/run or bench/phases
					FAILED=1
					continue
				}
				cell "$name" "$c"
			done
		done
	done
}
