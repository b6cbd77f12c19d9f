#!/bin/sh
# The manual pages: lint-clean, and complete: every option of --help in
# replyd(8), every configuration key replyd knows in replyd.conf(5).
. "$(dirname "$0")/lib.sh"

MAN=$TOP_SRCDIR/man
command -v mandoc > /dev/null && command -v groff > /dev/null ||
    skip_all "needs mandoc and groff"

for page in replyd.8 replyd.conf.5 replyd-module.3; do
	out=$(mandoc -T lint "$MAN/$page" 2>&1)
	same "$page: mandoc -T lint is clean" "$out" ""
	out=$(groff -man -ww -z "$MAN/$page" 2>&1)
	same "$page: groff -man -ww -z is clean" "$out" ""
done

for opt in $("$REPLYD" --help | grep -oE -- '--[a-z]+' | sort -u); do
	check "replyd(8) documents $opt" grep -q -- "\\\\-\\\\-${opt#--}" "$MAN/replyd.8"
done

# The keys, as replyd itself lists them for an unknown one.
printf 'no_such_key = 1;\n' > "$WORK/k.conf"
keys=$("$REPLYD" -t -c "$WORK/k.conf" 2>&1 | sed -n 's/.*(allowed: \(.*\))$/\1/p' | tr -d ,)
check "replyd lists its keys" [ -n "$keys" ]
for key in $keys name; do
	check "replyd.conf(5) documents $key" \
	    grep -qE "^\\.BR? (.*[ \"])?$key( |\"|$)" "$MAN/replyd.conf.5"
done
finish
