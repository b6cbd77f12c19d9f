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

# serve AS USER GROUP [LINES]: the master started by the command AS
# ("" = this shell) with user and group lines (- = none) and LINES;
# prints what one client gets from the handler $WORK/ids.sh.
serve() {
	local as=$1 user=$2 group=$3 cf
	cf=$(mktemp "$WORK/p.XXXXXX")
	{ [ "$user" = - ] || echo "user = \"$user\";"
	  [ "$group" = - ] || echo "group = \"$group\";"
	  echo "port = 0; listen = \"127.0.0.1\"; handler = \"exec\"; ${4:-}"
	  echo "exec = { program = \"$WORK/ids.sh\"; };"; } > "$cf"
	chmod 644 "$cf"
	LOG=$cf.log
	$as "$REPLYD" -f -c "$cf" 2> "$LOG" &
	PID=$!
	if ! wait_log "$LOG" 'listening on' 10; then
		sed 's/^/#   /' "$LOG" >&2
		kill "$PID"
		return 1
	fi
	"$TCLIENT" -d x 127.0.0.1 "$(port_of "$LOG" "")"
	stop "$PID"
}

# row WHO AS USER GROUP WANT [LINES]: as serve, described as WHO; the
# handler must run as WANT.
row() {
	local got
	if ! got=$(serve "$2" "$3" "$4" "${6:-}"); then
		not_ok "started as $1, user $3, group $4${6:+, $6}: starts"
		return
	fi
	same "started as $1, user $3, group $4${6:+, $6}" "$got" "$5"
}

# gets_nothing WHAT: the service on PORT closes its client unanswered.
gets_nothing() {
	same "$1: the client gets nothing" \
	    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" ""
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
	# The supplementary groups themselves, as the kernel holds them:
	# none, whatever the master holds (one group, as two), unless
	# groups = true gives the user's own, whatever the master holds.
	cp "$WORK/ids.sh" "$WORK/ids-id.sh"
	printf '#!/bin/sh\nsed -n "s/^Groups:[[:space:]]*//p" /proc/self/status | xargs\n' \
	    > "$WORK/ids.sh"
	row "root with group 4" "setpriv --groups=4 --" nobody - ""
	row "root with no groups" "setpriv --clear-groups --" nobody - \
	    "$nogroup" "groups = true;"
	# A user with supplementary groups of its own, if this host has one.
	gu=$(awk -F: '$4 != "" { split($4, u, ","); print u[1]; exit }' \
	    /etc/group)
	if [ -n "$gu" ] && id "$gu" > /dev/null 2>&1; then
		want=$(id -G "$gu" | tr ' ' '\n' | sort -n | xargs)
		for as in "setpriv --clear-groups --" "$ROOT"; do
			got=$(serve "$as" "$gu" - "groups = true;" |
			    tr ' ' '\n' | sort -n | xargs)
			same "started as $as, groups = true: $gu's groups" \
			    "$got" "$want"
		done
	else
		echo "# no user with supplementary groups here: groups = true only tried with nobody"
	fi
	# Real, effective, saved and file system ids alike, whatever mix the
	# master was started with.
	printf '#!/bin/sh\nsed -nE "s/^(Uid|Gid):[[:space:]]*//p" /proc/self/status | xargs\n' \
	    > "$WORK/ids.sh"
	for mix in "--rgid=1 --egid=0" "--egid=1 --rgid=0" "--ruid=1 --euid=0"; do
		row "root with $mix" "setpriv $mix --clear-groups --" root - \
		    "0 0 0 0 0 0 0 0"
	done
	mv "$WORK/ids-id.sh" "$WORK/ids.sh"
	# Started as someone else, nobody can be switched to: the handler
	# runs as that someone, and the file says nothing of users.
	AS="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
	row nobody "$AS" - - "$nobody $nogroup $nogroup"
	# exec.no_new_privs = false: the sandbox goes on before the drop,
	# which still happens.
	printf '%s\n' 'user = "nobody"; port = 0; listen = "127.0.0.1";' \
	    'handler = "exec";' \
	    "exec = { program = \"$WORK/ids.sh\"; no_new_privs = false; };" \
	    > "$WORK/nnp.conf"
	start nnp "$WORK/nnp.conf"
	same "exec.no_new_privs = false: the handler runs as nobody all the same" \
	    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" "$nobody $nogroup $nogroup"
	stop "$PID"
	# A built-in handler runs in the forked child after the same drop.
	printf '%s\n' 'user = "nobody"; group = "daemon"; port = 0;' \
	    'listen = "127.0.0.1";' > "$WORK/builtin.conf"
	start builtin "$WORK/builtin.conf"
	same "the reply handler as nobody: served" \
	    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" "thank you !"
	stop "$PID"
	# A chroot that works: the handler runs in the jail, from its root.
	# The jail holds a shell and the libraries it loads.
	jail=$WORK/jail
	mkdir -p "$jail/bin" && cp "$(readlink -f /bin/sh)" "$jail/bin/sh" &&
	    : > "$jail/in-jail"
	for lib in $(ldd /bin/sh | grep -oE '/[^ ]+'); do
		mkdir -p "$jail$(dirname "$lib")" && cp "$lib" "$jail$lib"
	done
	cf=$WORK/jail-ok.conf
	# shellcheck disable=SC2016 # $(pwd) is the handler's, in the jail
	printf '%s\n' 'user = "nobody"; port = 0; listen = "127.0.0.1";' \
	    'handler = "exec";' "exec = { chroot = \"$jail\"; program = \"/bin/sh\";" \
	    '  args = [ "-c", "test -e /in-jail && echo jailed in $(pwd)" ]; };' \
	    > "$cf"
	start jail-ok "$cf"
	same "exec.chroot: the handler runs in the jail, from its root" \
	    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" "jailed in /"
	stop "$PID"
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
	gets_nothing "exec.chroot to a folder gone since"
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
		gets_nothing "$call fails"
		check "$call fails: the child says it cannot drop privileges" \
		    wait_log "$LOG" 'cannot drop privileges to nobody: Operation not permitted'
		check "$call fails: the child ends with a failure" \
		    wait_log "$LOG" 'child [0-9]+ exited with status [1-9]'
		stop "$PID"
	done
	# The same in a forked child (a built-in handler), which logs itself.
	printf '%s\n' 'user = "nobody"; port = 0; listen = "127.0.0.1";' > "$cf"
	REPLYD=$WORK/deny-setresuid start deny-reply "$cf"
	gets_nothing "setresuid fails under reply"
	check "setresuid fails under reply: the child says why" \
	    wait_log "$LOG" 'cannot drop privileges to nobody: Operation not permitted'
	stop "$PID"
	# A limit that cannot be had fails the child like a drop that
	# cannot: without CAP_SYS_NICE no nice value below 0.
	printf '%s\n' 'user = "nobody"; port = 0; listen = "127.0.0.1";' \
	    'nice = -5;' > "$cf"
	printf '#!/bin/sh\nexec setpriv --bounding-set=-sys_nice -- "%s" "$@"\n' \
	    "$REPLYD" > "$WORK/no-nice"
	chmod 755 "$WORK/no-nice"
	REPLYD=$WORK/no-nice start no-nice "$cf"
	gets_nothing "nice = -5 without CAP_SYS_NICE"
	check "nice = -5 without CAP_SYS_NICE: the child ends with a failure" \
	    wait_log "$LOG" 'child [0-9]+ exited with status [1-9]'
	stop "$PID"
	# Nothing to change, no call: root staying root with no groups makes
	# none of them (in a user namespace that maps only root, the kernel
	# refuses even a setgroups() that drops nothing).
	printf '%s\n' 'user = "root"; port = 0; listen = "127.0.0.1";' \
	    'handler = "exec";' "exec = { program = \"$WORK/ids.sh\"; };" > "$cf"
	for call in setgroups setresgid setresuid; do
		printf '#!/bin/sh\nexec setpriv --clear-groups -- "%s" %s "%s" "$@"\n' \
		    "$DENYSYS" "$call" "$REPLYD" > "$WORK/same-$call"
		chmod 755 "$WORK/same-$call"
		REPLYD=$WORK/same-$call start "same-$call" "$cf"
		same "$call refused, root staying root: served" \
		    "$("$TCLIENT" -d x 127.0.0.1 "$PORT")" "0 0 0"
		stop "$PID"
	done
	# A confinement this host cannot give, or an id call or
	# no_new_privs that fails after it: the check (each child's set-up,
	# tried once) refuses the file and says which step failed, where a
	# start would serve unconfined.  The forked reply handler sets
	# no_new_privs and then its sandbox; the exec handler with
	# exec.no_new_privs = false its sandbox before the user.
	# refused CALL WHAT LINES WHY: under denysys CALL, replyd -t refuses
	# a file of LINES for nobody (78) and says WHY.
	refused() {
		printf '%s\n' 'user = "nobody"; port = 0;' \
		    'listen = "127.0.0.1";' "$3" > "$cf"
		"$DENYSYS" "$1" "$REPLYD" -t -c "$cf" > "$WORK/t.out" 2>&1
		same "$1 fails, $2: the check fails" "$?" 78
		same "$1 fails, $2: ... and says why" "$(cat "$WORK/t.out")" \
		    "replyd: 0/tcp: $4: Operation not permitted${5:-}"
	}
	unconfined="; refusing to serve unconfined"
	ro='sandbox = { filesystem = "read-only"; };'
	landlock='sandbox (filesystem = "read-only") cannot be had here: cannot enter its Landlock ruleset'
	refused unshare "network = false" 'sandbox = { network = false; };' \
	    "sandbox (network = false) cannot be had here: cannot make new namespaces (unshare)" \
	    "$unconfined"
	refused landlock_restrict_self "filesystem = read-only" "$ro" \
	    "$landlock" "$unconfined"
	refused landlock_restrict_self "filesystem = read-only, exec.no_new_privs = false" \
	    "$ro handler = \"exec\"; exec = { program = \"/bin/true\"; no_new_privs = false; };" \
	    "$landlock" "$unconfined"
	refused prctl "network = false" 'sandbox = { network = false; };' \
	    "cannot drop privileges to nobody"
else
	row "$(id -un)" "" - - "$(id -u) $(id -g) $(id -G)"
fi
finish
