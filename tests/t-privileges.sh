#!/bin/sh
# Privileges in every combination: started as root, a handler runs with
# exactly the configured user and group (the user's own when no group is
# given) and no supplementary groups, root included; started as
# someone else, it runs as that someone.  The exec handler reports
# `id -u`, `id -g` and `id -G` of what it runs as.
. "$(dirname "$0")/lib.sh"
: "${DENYSYS:=$(pwd)/tests/denysys}"

cat > "$WORK/ids.sh" <<'S'
#!/bin/sh
printf '%s %s %s\n' "$(id -u)" "$(id -g)" "$(id -G)"
S
chmod 755 "$WORK/ids.sh"
nobody=$(id -u nobody)
nogroup=$(getent group nogroup | cut -d: -f3)
daemon_u=$(id -u daemon)
daemon_g=$(getent group daemon | cut -d: -f3)

# row WHO AS USER GROUP WANT: the master started by the command AS ("" =
# this shell), described as WHO, with user and group lines (- = none),
# must run the handler as WANT.
row() {
	local who=$1 as=$2 user=$3 group=$4 want=$5 name cf
	name=p$T
	cf=$WORK/$name.conf
	{ [ "$user" = - ] || echo "user = \"$user\";"
	  [ "$group" = - ] || echo "group = \"$group\";"
	  echo "port = 0; listen = \"127.0.0.1\"; handler = \"exec\";"
	  echo "exec = { program = \"$WORK/ids.sh\"; };"; } > "$cf"
	chmod 644 "$cf"
	LOG=$WORK/$name.log
	$as "$REPLYD" -f -c "$cf" 2> "$LOG" &
	PID=$!
	PIDS="$PIDS $PID"
	if ! wait_log "$LOG" 'listening on' 10; then
		not_ok "started as $who, user $user, group $group: starts"
		sed 's/^/#   /' "$LOG"
		return
	fi
	same "started as $who, user $user, group $group" \
	    "$("$TCLIENT" -d x 127.0.0.1 "$(port_of "$LOG" "")")" "$want"
	stop "$PID"
}

if [ "$(id -u)" = 0 ]; then
	# The master holds supplementary groups of its own (4 and 24): no
	# handler may keep them.
	ROOT="setpriv --groups=4,24 --"
	row "root with groups 4, 24" "$ROOT" nobody - "$nobody $nogroup $nogroup"
	row "root with groups 4, 24" "$ROOT" nobody daemon "$nobody $daemon_g $daemon_g"
	row "root with groups 4, 24" "$ROOT" root nogroup "0 $nogroup $nogroup"
	row "root with groups 4, 24" "$ROOT" root - "0 0 0"
	row "root with groups 4, 24" "$ROOT" daemon root "$daemon_u 0 0"
	row "root with groups 4, 24" "$ROOT" daemon - "$daemon_u $daemon_g $daemon_g"
	# Started as someone else, nobody can be switched to: the handler
	# runs as that someone, and the file says nothing of users.
	AS="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
	row nobody "$AS" - - "$nobody $nogroup $nogroup"
	# A chroot that fails fails the drop: the handler never runs, where
	# outside the jail /usr/bin/id would answer.  (The folder must exist
	# when the file is read: it goes afterwards.)
	mkdir -p "$WORK/gone/usr/bin" && cp "$WORK/ids.sh" "$WORK/gone/usr/bin/id"
	cf=$WORK/jail.conf
	printf '%s\n' 'user = "nobody"; port = 0; listen = "127.0.0.1";' \
	    'handler = "exec";' \
	    "exec = { chroot = \"$WORK/gone\"; program = \"/usr/bin/id\"; };" > "$cf"
	start jail "$cf"
	rm -r "$WORK/gone"
	same "exec.chroot to a folder gone since: the client gets nothing" \
	    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" ""
	check "exec.chroot to a folder gone since: the child exits 127" \
	    wait_log "$LOG" 'child [0-9]+ exited with status 127'
	stop "$PID"
	# An id call that fails fails the drop: the handler never runs as
	# root.  (The kernel may forbid them: a container, a security
	# module.)  tests/denysys makes one fail with EPERM for replyd and
	# its children; the master needs none of them.  It holds groups of
	# its own, so that the child has some to drop.
	cf=$WORK/deny.conf
	printf '%s\n' 'user = "nobody"; port = 0; listen = "127.0.0.1";' \
	    'handler = "exec";' "exec = { program = \"$WORK/ids.sh\"; };" > "$cf"
	for call in setgroups setresgid setresuid; do
		printf '#!/bin/sh\nexec %s "%s" %s "%s" "$@"\n' "$ROOT" \
		    "$DENYSYS" "$call" "$REPLYD" > "$WORK/deny-$call"
		chmod 755 "$WORK/deny-$call"
		REPLYD=$WORK/deny-$call start "deny-$call" "$cf"
		same "$call fails: the client gets nothing" \
		    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" ""
		check "$call fails: the child says it cannot drop privileges" \
		    wait_log "$LOG" 'cannot drop privileges to nobody: Operation not permitted'
		check "$call fails: the child ends with a failure" \
		    wait_log "$LOG" 'child [0-9]+ exited with status [1-9]'
		stop "$PID"
	done
	# The same in a forked child (a built-in handler), which logs itself.
	printf '%s\n' 'user = "nobody"; port = 0; listen = "127.0.0.1";' > "$cf"
	REPLYD=$WORK/deny-setresuid start deny-reply "$cf"
	same "setresuid fails under reply: the client gets nothing" \
	    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" ""
	check "setresuid fails under reply: the child says why" \
	    wait_log "$LOG" 'cannot drop privileges to nobody: Operation not permitted'
	stop "$PID"
else
	row "$(id -un)" "" - - "$(id -u) $(id -g) $(id -G)"
fi
finish
