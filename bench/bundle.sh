#!/bin/sh
# bench/bundle.sh: time `confcert bundle` on a leaf hidden in a pile of
# unrelated CA certificates (the system bundle concatenated 15 and 150
# times: 2,160 and 21,600 certificates on a 144-certificate bundle), next to
# `confcert inspect` reading the big pile. Goals (issue 3): big <= 15x small
# (linear is 10x) and big bundle <= 3x inspect of the big pile. Issue 15:
# bundle streams its piles, so its peak memory (maximum resident set) stays
# flat; it is printed for each pile, and for a pile of 216,000 (1,500 copies,
# 330 MB) unless BIG_RUNS is 0.
#
#   sh bench/bundle.sh [RUNS] [BIG_RUNS]   # default 3 runs (best kept), 1 on 216,000
set -eu
runs=${1:-3}
bigruns=${2:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
system=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
pki="$root/internal/chain/testdata/pki"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/confcert" ./cmd/confcert)

# pile N OUT: the system bundle N times, the leaf and its chain in the middle.
pile() {
	i=0
	while [ "$i" -lt "$1" ]; do
		cat "$system"
		if [ "$i" -eq $(($1 / 2)) ]; then
			cat "$pki/secondary.pem" "$pki/leaf.pem" "$pki/root.pem" "$pki/primary.pem"
		fi
		i=$((i + 1))
	done >"$2"
}

# check CMD...: runs CMD once and stops the benchmark when it fails (a
# refused input would otherwise be timed as a fast one).
check() {
	if ! "$@" >/dev/null 2>"$work/err"; then
		echo "failed: $*" >&2
		cat "$work/err" >&2
		exit 1
	fi
}

# best CMD...: the shortest wall time of $runs runs, in seconds.
best() {
	b=""
	r=0
	while [ "$r" -lt "$runs" ]; do
		t0=$(now)
		"$@" >/dev/null 2>&1
		t=$(echo "$(now) - $t0" | bc)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" -eq 1 ]; then b=$t; fi
		r=$((r + 1))
	done
	echo "$b"
}

# rss CMD...: the maximum resident set of one run, in MB.
rss() {
	/usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1
	echo $(($(cat "$work/rss") / 1024))
}

pile 15 "$work/small.pem"
pile 150 "$work/big.pem"
small_n=$(grep -c 'BEGIN CERTIFICATE' "$work/small.pem")
big_n=$(grep -c 'BEGIN CERTIFICATE' "$work/big.pem")
check "$work/confcert" bundle --layout fullchain "$work/small.pem"
check "$work/confcert" bundle --layout fullchain "$work/big.pem"
check "$work/confcert" inspect "$work/big.pem"
"$work/confcert" bundle --layout fullchain "$work/big.pem" 2>&1 >/dev/null | head -4

printf 'load average at start: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
small=$(best "$work/confcert" bundle --layout fullchain "$work/small.pem")
big=$(best "$work/confcert" bundle --layout fullchain "$work/big.pem")
inspect=$(best "$work/confcert" inspect "$work/big.pem")
echo "bundle, $small_n certificates:  ${small}s (peak $(rss "$work/confcert" bundle --layout fullchain "$work/small.pem") MB)"
echo "bundle, $big_n certificates: ${big}s (peak $(rss "$work/confcert" bundle --layout fullchain "$work/big.pem") MB)"
echo "inspect, $big_n certificates: ${inspect}s"
echo "big/small bundle:   $(echo "scale=2; $big / $small" | bc)x (goal <= 15)"
echo "big bundle/inspect: $(echo "scale=2; $big / $inspect" | bc)x (goal <= 3)"
if [ "$bigruns" -gt 0 ]; then
	pile 1500 "$work/huge.pem"
	rm "$work/small.pem"
	huge_n=$(grep -c 'BEGIN CERTIFICATE' "$work/huge.pem")
	check "$work/confcert" bundle --layout fullchain "$work/huge.pem"
	runs=$bigruns
	huge=$(best "$work/confcert" bundle --layout fullchain "$work/huge.pem")
	echo "bundle, $huge_n certificates: ${huge}s (peak $(rss "$work/confcert" bundle --layout fullchain "$work/huge.pem") MB); $(echo "scale=2; $huge / $big" | bc)x the 21,600 pile"
fi
printf 'load average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
