# bench/table.sh: bench/run's output (sourced): the header that says
# what ran where, and the table, one row per server and concurrency C.
#
# conn/s is the median round, spread how far the rounds' conn/s lay
# apart; p50 and p99 are the median round's; errors are all rounds';
# ratio is conn/s over the plain fork reference's at the
# same C; cpu/conn and sys/conn are in microseconds (see measure.sh).

print_header() {
	local cpu

	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	echo "replyd benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(nproc) CPUs, ${cpu:-unknown CPU}, Linux $(uname -r)," \
	    "load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "cells: C = $CONCS; $COUNT connections or $SECS s a cell," \
	    "whichever first; $RUNS round(s), median shown;" \
	    "per-connection timeout $TIMEOUT s"
	# shellcheck disable=SC2028 # the request and reply are shown with a literal \n
	echo "request 'hello\\n' (6 bytes), reply 'thank you !\\n' checked" \
	    "byte for byte; handlers run as $BUSER$(drops_user &&
	    echo " (fork, fork-static, spawn and systemd-sa: as $(id -un))")"
	echo
}

# median NAME/C: "cps p50 p99 spread" of the median round by conn/s;
# spread is (fastest - slowest round) / median, in per cent.
median() {
	local sorted n

	# shellcheck disable=SC2086 # unquoted: the rounds split one per line
	sorted=$(echo ${ROUNDS[$1]} | tr ' ' '\n' | sort -t: -k1,1g)
	n=$(echo "$sorted" | wc -l)
	echo "$sorted" | tr ':' ' ' | awk -v n="$n" '
		NR == 1 { lo = $1 }
		NR == int((n + 1) / 2) { m = $1; p50 = $2; p99 = $3 }
		END { s = m > 0 ? ($1 - lo) * 100 / m : 0
		    printf "%s %s %s %.0f\n", m, p50, p99, s }'
}

# per_conn TICKS OK: microseconds a connection.
per_conn() {
	awk -v t="$1" -v n="$2" -v hz="$HZ" 'BEGIN {
		if (n > 0) printf "%.0f", t * 1e6 / hz / n; else print "-" }'
}

ratio() {
	awk -v a="$1" -v b="$2" \
	    'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

row() {
	local name=$1 c=$2 k="$1/$2" cps p50 p99 spread ref=""

	read -r cps p50 p99 spread <<< "$(median "$k")"
	[ -z "${ROUNDS[fork/$c]:-}" ] || ref=$(median "fork/$c" | cut -d' ' -f1)
	printf '%-14s %3s %8.1f %4s%% %5s %7s %7s %4s %7s %7s %6s %3s %8s %8s\n' \
	    "$name" "$c" "$cps" "$spread" "$(ratio "$cps" "${ref:-0}")" \
	    "$p50" "$p99" \
	    "${ERR[$k]}" "${IDLE[$name]}" "${PRIV[$name]}" "${RSS[$k]}" \
	    "${FDS[$k]}" \
	    "$(per_conn "${CPU[$k]}" "${OK[$k]}")" \
	    "$(per_conn "${SYS[$k]}" "${OK[$k]}")"
}

print_notes() {
	local name k

	echo
	echo "Throttling defaults of the anchors were raised, so the table" \
	    "compares servers, not limits:"
	for name in $SERVERS; do
		[ "${STATUS[$name]}" = "skipped (not installed)" ] ||
		    printf '  %-14s %s\n' "$name" "$(describe "$name")"
	done
	echo "  every exec-style server runs the same tiny handler" \
	    "($TINYDESC)"
	echo "spread: (fastest - slowest round) / median conn/s;" \
	    "a large one means a noisy machine: raise BENCH_RUNS"
	echo "idle kB: master VmRSS after one probe connection, before load;" \
	    "priv kB: the private part of it (Private_Clean + Private_Dirty," \
	    "shared library pages left out); RSS kB, fds: after the cell"
	echo "cpu/conn, us: master utime+stime+cutime+cstime (so with its" \
	    "reaped children) / connections"
	echo "sys/conn, us: the machine's busy time less loadgen's CPU /" \
	    "connections"
	for k in "${!KINDS[@]}"; do
		echo "errors $k:${KINDS[$k]}"
	done | sort
}

print_table() {
	local name c

	printf '%-14s %3s %8s %5s %5s %7s %7s %4s %7s %7s %6s %3s %8s %8s\n' \
	    server C conn/s spread ratio "p50 ms" "p99 ms" err "idle kB" \
	    "priv kB" "RSS kB" fds cpu/conn sys/conn
	for name in $SERVERS; do
		for c in $CONCS; do
			[ -z "${ROUNDS[$name/$c]:-}" ] || row "$name" "$c"
		done
		[ "${STATUS[$name]}" = up ] ||
		    printf '%-14s   - %s\n' "$name" "${STATUS[$name]}"
	done
	print_notes
}
