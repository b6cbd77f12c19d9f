#!/bin/sh
# The manual pages: lint-clean, and complete: every option of --help in
# replyd(8), every configuration key replyd knows in replyd.conf(5).
. "$(dirname "$0")/lib.sh"

MAN=$TOP_SRCDIR/man
# shellcheck disable=SC2015 # skip_all when either tool is missing is the intent
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

# The keys, as replyd itself lists them from its table for an unknown
# one: at the top level and in a service.
printf 'no_such_key = 1;\nservices = ( { name = "a"; no_such_key = 1; } );\n' \
    > "$WORK/k.conf"
table=$("$REPLYD" -t -c "$WORK/k.conf" 2>&1 |
    sed -n 's/.*(allowed: \(.*\))$/\1/p' | tr -d , | tr ' ' '\n' | sort -u)
check "replyd lists its keys" [ "$(echo "$table" | wc -l)" -gt 20 ]
# The keys replyd.conf(5) documents: the tags of its KEYS section, not
# those nested in a key (exec's, module's).
man=$(awk '/^\.SH KEYS/ { k = 1; next } /^\.SH/ { k = 0 }
    k && /^\.RS/ { d++ } k && /^\.RE/ { d-- }
    k && d == 0 && prev == ".TP" && /^\.BR? / { print } { prev = $0 }' \
    "$MAN/replyd.conf.5" | sed -E 's/^\.BR? //; s/ " \(.*//; s/", "/ /g' |
    tr ' ' '\n' | sort -u)
# shellcheck disable=SC2086,SC2116 # echo unquoted folds the lists to one line each
same "replyd.conf(5) documents exactly the keys of the table" \
    "$(echo $man)" "$(echo $table)"
finish
