# Shared by the replyd-import tests (t-import, t-importreal, t-importaddr,
# t-importxattr):
# running it, and reading the services it wrote.
: "${REPLYD_IMPORT:=$(dirname "$REPLYD")/replyd-import}"

# import NAME ARGS...: run replyd-import --all into NAME.conf (stdout),
# NAME.err and RC.  --all writes what the input had off whole, as the
# tests read it; t-import checks the default's one line each.
import() {
	local name=$1
	shift
	"$REPLYD_IMPORT" --all "$@" > "$WORK/$name.conf" 2> "$WORK/$name.err"
	# shellcheck disable=SC2034 # read by the tests that source this
	RC=$?
}

# enabled/disabled NAME FILE: the service is (not) commented out.
enabled() { grep -qx "		name = \"$1\";" "$2"; }
disabled() { grep -qx "#		name = \"$1\";" "$2"; }

# why NAME FILE TEXT: the comments before service NAME hold TEXT.
why() {
	awk -v want="name = \"$1\";" '
	/^\t# / { l = $0; sub(/^\t# */, "", l); c = c l " " }
	/^#?\t(, )?\{$/ { keep = c; c = "" }
	index($0, want) { print keep; exit }' "$2" | tr -s ' \t' ' ' |
	    grep -qF -- "$3"
}

# xinetd_svc NAME PORT LINES...: an xinetd service running /bin/cat on
# PORT, not in /etc/services (UNLISTED), with LINES added to it.
# xinetd_tcp NAME PORT LINES...: the same as a TCP stream service.
xinetd_svc() {
	local name=$1 port=$2
	shift 2
	printf 'service %s\n{\n\ttype = UNLISTED\n\twait = no\n' "$name"
	printf '\tserver = /bin/cat\n\tport = %s\n' "$port"
	printf '\t%s\n' "$@"
	echo '}'
}
xinetd_tcp() {
	xinetd_svc "$@" 'socket_type = stream' 'protocol = tcp'
}
