#!/bin/sh
# bench/inspect.sh: `confcert inspect --json` on the system CA bundle
# concatenated 150 and 1,500 times (21,600 and 216,000 certificates on a
# 144-certificate bundle: 33 MB and 330 MB) against
#   - the streaming floor (bench/floor/inspect: one pass, decode, parse,
#     describe, encode in batches, drop; no issuer index): goal within 1.2x;
#   - `openssl storeutl -noout -text -certs` on the same file (goal, issue 15:
#     at most 0.10x);
# and the peak memory (maximum resident set) of confcert on the large file
# (goal: under 150 MB).
#
# A run on 21,600 certificates takes about 0.45 s, in which the neighbours'
# bursts move one run by 10-30%: confcert and the floor run in PAIRS pairs,
# in turn, the one that goes first alternating, each timed by bench/timeit
# (wall, user and system CPU to the microsecond, and peak resident set, from
# wait4: GNU time's %e gives 10 ms). Each pair prints its wall and CPU
# ratio; the end prints the median ratio, the middle half and the whole
# range of the pairs' ratios, and the ratio of the times of all the pairs
# added up with its standard error. openssl (5 s a run on 21,600) runs after the two in the first
# OPENSSL_RUNS pairs (its ratio is confcert's run of that pair over
# openssl's). On 216,000 certificates, BIG_RUNS runs of each of the three
# (openssl: about 5 minutes a run; BIG_OPENSSL=0 leaves it out).
#
#   sh bench/inspect.sh [PAIRS] [BIG_RUNS] [OPENSSL_RUNS]   # default 15, 1, 3
#   BIG_OPENSSL=0 sh bench/inspect.sh 0 1 0               # the 216,000 alone, no openssl
set -eu
pairs=${1:-15}
bigruns=${2:-1}
oruns=${3:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
system=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/confcert" ./cmd/confcert && go build -o "$work/floor" ./bench/floor/inspect)
. "$root/bench/paired.sh"
build_timeit

i=0
while [ "$i" -lt 150 ]; do
	cat "$system"
	i=$((i + 1))
done >"$work/21k.pem"
if [ "$bigruns" -gt 0 ]; then
	i=0
	while [ "$i" -lt 10 ]; do
		cat "$work/21k.pem"
		i=$((i + 1))
	done >"$work/216k.pem"
fi

# confcert_once OUT FILE, floor_once OUT FILE, openssl_once OUT FILE.
confcert_once() { measure "$1" "$work/confcert" inspect --json "$2"; }
floor_once() { measure "$1" "$work/floor" "$2"; }
openssl_once() { measure "$1" openssl storeutl -noout -text -certs "$2"; }

# pairs FILE PAIRS OPENSSL_RUNS: confcert and the floor on FILE, PAIRS
# times, openssl in the first OPENSSL_RUNS.
pairs() {
	[ "$2" -gt 0 ] || return 0
	n=$(grep -c 'BEGIN CERTIFICATE' "$1")
	for f in cw cc fw fc rw rc ro; do : >"$work/$f"; done
	i=1
	while [ "$i" -le "$2" ]; do
		if [ $((i % 2)) = 1 ]; then
			first="confcert first"
			confcert_once "$work/c" "$1"
			floor_once "$work/f" "$1"
		else
			first="floor first"
			floor_once "$work/f" "$1"
			confcert_once "$work/c" "$1"
		fi
		record_pair c f
		cw=$tw cc=$tc
		line=$(printf '%d certificates, pair %d (%s): confcert %.3f s (CPU %.3f s, peak %d MB), floor %.3f s (CPU %.3f s, peak %d MB): confcert/floor wall %.2fx, CPU %.2fx' \
			"$n" "$i" "$first" "$cw" "$cc" "$(rss_mb_of "$work/c")" "$fw" "$fc" "$(rss_mb_of "$work/f")" \
			"$(ratio "$cw" "$fw")" "$(ratio "$cc" "$fc")")
		if [ "$i" -le "$3" ]; then
			openssl_once "$work/o" "$1"
			ow=$(wall_of "$work/o")
			ratio "$cw" "$ow" >>"$work/ro" && echo >>"$work/ro"
			line=$(printf '%s; openssl %.2f s (CPU %.2f s, peak %d MB): confcert/openssl %.3fx (goal <= 0.10)' \
				"$line" "$ow" "$(cpu_of "$work/o")" "$(rss_mb_of "$work/o")" "$(ratio "$cw" "$ow")")
		fi
		echo "$line"
		i=$((i + 1))
	done
	printf '%d certificates, confcert/floor over %d pairs (goal <= 1.2): wall %s; CPU %s\n' "$n" "$2" "$(spread "$work/rw")" "$(spread "$work/rc")"
	printf '%d certificates, confcert/floor, all pairs added up (+/- one standard error): wall %s; CPU %s\n' "$n" \
		"$(totals "$work/cw" "$work/fw")" "$(totals "$work/cc" "$work/fc")"
	if [ "$3" -gt 0 ]; then
		printf '%d certificates, confcert/openssl over %d runs (goal <= 0.10): wall %s\n' "$n" "$3" "$(spread "$work/ro" 3)"
	fi
}

printf 'cores: %s, load average at start: %s\n' "$(nproc 2>/dev/null || echo ?)" "$(cut -d' ' -f1-3 /proc/loadavg)"
pairs "$work/21k.pem" "$pairs" "$oruns"
if [ "$bigruns" -gt 0 ]; then
	bigossl=$bigruns
	[ "${BIG_OPENSSL:-1}" = 0 ] && bigossl=0
	pairs "$work/216k.pem" "$bigruns" "$bigossl"
fi
printf 'load average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
