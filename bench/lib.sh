# bench/lib.sh: what the bench scripts share. Sourced, never run:
#   . "$root/bench/lib.sh"

# now: the time in seconds, to the nanosecond.
now() { date +%s.%N; }

# wall FUNC: the wall time of one run of FUNC, in seconds.
wall() {
	t0=$(now); "$1"; t1=$(now)
	echo "$t1 - $t0" | bc -l
}
