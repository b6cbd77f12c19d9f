# "make coverage"'s ratchet: the first file is tests/coverage-floor
# ("lines 87.9"), the second gcovr's summary ("lines: 87.9% (...)").
# Prints one verdict line per figure; exits 1 if any is below its floor.
FNR == NR && /^(lines|branches) / { floor[$1] = $2; next }
FNR == NR { next }
/^(lines|branches): / {
	k = $1; sub(/:$/, "", k)
	v = $2; sub(/%$/, "", v)
	got[k] = v + 0
}
END {
	bad = 0
	for (k in floor) {
		if (!(k in got)) {
			printf "coverage floor: no %s figure from gcovr\n", k
			bad = 1
		} else if (got[k] < floor[k]) {
			printf "coverage floor: %s %.1f%% is below the floor %.1f%% (tests/coverage-floor)\n", k, got[k], floor[k]
			bad = 1
		} else if (got[k] >= floor[k] + 0.5)
			printf "coverage floor: %s %.1f%% >= %.1f%%: raise it in tests/coverage-floor\n", k, got[k], floor[k]
		else
			printf "coverage floor: %s %.1f%% >= %.1f%%\n", k, got[k], floor[k]
	}
	exit bad
}
