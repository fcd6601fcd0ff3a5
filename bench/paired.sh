# bench/paired.sh: paired runs for the bench scripts that compare confcert
# with a floor program (plan.sh, inspect.sh). Sourced, never run:
#   . "$root/bench/paired.sh"
# Needs $root and $work set, and `build_timeit` called once.

# build_timeit: builds bench/timeit into $work (wall, user and system CPU to
# the microsecond, and peak resident set, of one process: GNU time's %e and
# %U gave 10 ms, 2% of a 0.45 s run).
build_timeit() {
	(cd "$root" && go build -o "$work/timeit" ./bench/timeit)
}

# measure OUT CMD...: runs CMD once, its output discarded; OUT gets
# "wall_s user_s sys_s maxrss_kb". A failing CMD stops the script (set -e).
measure() {
	out=$1
	shift
	TIMEIT_OUT=$out "$work/timeit" "$@" >/dev/null 2>&1
}

# wall_of FILE, cpu_of FILE, rss_mb_of FILE: from a measure's line.
wall_of() { awk '{ print $1 }' "$1"; }
cpu_of() { awk '{ print $2 + $3 }' "$1"; }
rss_mb_of() { awk '{ printf "%d", $4 / 1024 }' "$1"; }

# ratio A B: A / B to 6 places.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a / b }'; }

# spread FILE: "median M (middle half Q1-Q3, all LO-HI)" of the numbers in
# FILE, one a line, each printed to 2 places with an x (they are ratios).
spread() {
	sort -g "$1" | awk '
		{ v[NR] = $1 }
		function q(p,   h, i) { h = (NR - 1) * p + 1; i = int(h); return i >= NR ? v[NR] : v[i] + (h - i) * (v[i + 1] - v[i]) }
		END { printf "median %.2fx (middle half %.2fx-%.2fx, all %.2fx-%.2fx)", q(0.5), q(0.25), q(0.75), v[1], v[NR] }'
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END { h = (NR - 1) / 2 + 1; i = int(h); printf "%.6f", i >= NR ? v[NR] : v[i] + (h - i) * (v[i + 1] - v[i]) }'
}

# total FILE: the sum of the numbers in FILE, one a line.
total() { awk '{ s += $1 } END { printf "%.6f", s }' "$1"; }
