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
# "wall_s user_s sys_s maxrss_kb". A failing CMD stops the script, saying
# which (a refusal is not timed as if it were the work).
measure() {
	out=$1
	shift
	if ! TIMEIT_OUT=$out "$work/timeit" "$@" >/dev/null 2>"$work/measure.log"; then
		echo "bench: $* failed:" >&2
		tail -5 "$work/measure.log" >&2
		exit 1
	fi
}

# wall_of FILE, cpu_of FILE, rss_mb_of FILE: from a measure's line.
wall_of() { awk '{ print $1 }' "$1"; }
cpu_of() { awk '{ print $2 + $3 }' "$1"; }
rss_mb_of() { awk '{ printf "%d", $4 / 1024 }' "$1"; }

# ratio A B: A / B to 6 places.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a / b }'; }

# record_pair T F: one pair's times kept for the summary. T and F name the
# measure files of the tool and of the floor in $work; their wall and CPU
# times are appended to $work/Tw, $work/Tc, $work/Fw and $work/Fc, and
# the pair's ratios to $work/rw and $work/rc. Sets tw, tc, fw and fc.
record_pair() {
	tw=$(wall_of "$work/$1") tc=$(cpu_of "$work/$1") fw=$(wall_of "$work/$2") fc=$(cpu_of "$work/$2")
	echo "$tw" >>"$work/${1}w"
	echo "$tc" >>"$work/${1}c"
	echo "$fw" >>"$work/${2}w"
	echo "$fc" >>"$work/${2}c"
	ratio "$tw" "$fw" >>"$work/rw" && echo >>"$work/rw"
	ratio "$tc" "$fc" >>"$work/rc" && echo >>"$work/rc"
}

# spread FILE [PLACES]: "median M (middle half Q1-Q3, all LO-HI)" of the
# numbers in FILE, one a line, each printed to PLACES places (default 2) with
# an x (they are ratios).
spread() {
	sort -g "$1" | awk -v p="${2:-2}" '
		{ v[NR] = $1 }
		function q(p,   h, i) { h = (NR - 1) * p + 1; i = int(h); return i >= NR ? v[NR] : v[i] + (h - i) * (v[i + 1] - v[i]) }
		END { f = "%." p "fx"; printf "median " f " (middle half " f "-" f ", all " f "-" f ")", q(0.5), q(0.25), q(0.75), v[1], v[NR] }'
}

# totals A B: "SA s / SB s = Rx (+/- E)" for the numbers of files A and B (one
# a line, line i of each from the same pair): R is the ratio of the sums and
# E its standard error, estimated from how the pairs spread around R
# (sqrt(sum (a_i - R b_i)^2 / (n (n - 1))) / mean(b)); none for one pair.
totals() {
	paste "$1" "$2" | awk '
		{ a[NR] = $1; b[NR] = $2; sa += $1; sb += $2 }
		END {
			r = sa / sb
			for (i = 1; i <= NR; i++) d += (a[i] - r * b[i]) ^ 2
			printf "%.3f s / %.3f s = %.2fx", sa, sb, r
			if (NR > 1) printf " (+/- %.2f)", sqrt(d / (NR * (NR - 1))) / (sb / NR)
		}'
}
