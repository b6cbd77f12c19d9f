#!/bin/sh
# Every file in data/bad/ must be refused by "replyd -t" with exit 78 and
# exactly the messages its "#@ :LINE: message" comments list, each as
# "replyd: FILE:LINE: message", and no other message with a line number.
# "#@ @NAME:LINE: message" is about NAME, a file the file includes.
. "$(dirname "$0")/lib.sh"

for f in "$TESTDATA"/bad/*.conf; do
	name=$(basename "$f")
	timeout 10 "$REPLYD" -t -c "$f" > /dev/null 2> "$WORK/err"
	rc=$?
	same "$name: exit 78" "$rc" 78
	want=$(sed -n 's/^#@ //p' "$f" | while IFS= read -r m; do
		case "$m" in
		:*) printf 'replyd: %s%s\n' "$f" "$m" ;;
		@*) printf 'replyd: %s/%s\n' "$(dirname "$f")" "${m#@}" ;;
		*) printf 'replyd: %s: %s\n' "$f" "$m" ;;
		esac
	done)
	# The refusal to run as root (when the tests run as root) is not
	# what these files are about.
	got=$(grep -v 'refusing to run handlers as root' "$WORK/err")
	same "$name: every error, and only those, reported" "$got" "$want"
done

# A failed reload logs the same messages: a value with a newline and an
# escape sequence stays on its line, escaped.
cf=$(conf forged <<'C'
port = 0;
listen = "127.0.0.1";
C
)
start forged "$cf"
printf 'port = 0;\nlisten = "127.0.0.1";\nuser = "x\\nreplyd: ok\\x1b[2J";\n' \
    > "$cf"
kill -HUP "$PID"
check "failed reload: the value is escaped in its message" \
    wait_log "$LOG" 'user "x\\x0areplyd: ok\\x1b\[2J" does not exist'
check "failed reload: the old configuration is kept" \
    wait_log "$LOG" 'reload failed: keeping the old configuration'
same "failed reload: no forged line" \
    "$(grep -c -e '^replyd: ok' -e "$(printf '\033')" "$LOG")" 0
stop "$PID"
finish
