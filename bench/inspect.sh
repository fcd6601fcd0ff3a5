#!/bin/sh
# bench/inspect.sh: `confcert inspect --json` on the system CA bundle
# concatenated 150 and 1,500 times (21,600 and 216,000 certificates on a
# 144-certificate bundle: 33 MB and 330 MB) against
#   - `openssl storeutl -noout -text -certs` on the same file (goal, issue 15:
#     at most 0.10x);
#   - the streaming floor (bench/floor/inspect: one pass, decode, parse,
#     describe, encode in batches, drop; no issuer index): goal within 1.2x;
# and the peak memory (maximum resident set) of confcert on the large file
# (goal: under 150 MB). The three run in turn, so each sees the same load;
# every ratio is of one run.
#
#   sh bench/inspect.sh [RUNS] [BIG_RUNS]   # default 3 runs on 21,600, 1 on 216,000
set -eu
runs=${1:-3}
bigruns=${2:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
system=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/confcert" ./cmd/confcert && go build -o "$work/floor" ./bench/floor/inspect)

i=0
while [ "$i" -lt 150 ]; do
	cat "$system"
	i=$((i + 1))
done >"$work/21k.pem"
i=0
while [ "$i" -lt 10 ]; do
	cat "$work/21k.pem"
	i=$((i + 1))
done >"$work/216k.pem"

# run1 OUT CMD...: runs CMD once, output discarded; OUT gets "wall maxrss_kb".
run1() {
	out=$1
	shift
	/usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null 2>&1
}

# pair FILE RUNS: the three tools on FILE, RUNS times.
pair() {
	n=$(grep -c 'BEGIN CERTIFICATE' "$1")
	r=0
	while [ "$r" -lt "$2" ]; do
		run1 "$work/c" "$work/confcert" inspect --json "$1"
		run1 "$work/f" "$work/floor" "$1"
		run1 "$work/o" openssl storeutl -noout -text -certs "$1"
		read -r c cm <"$work/c"
		read -r f fm <"$work/f"
		read -r o om <"$work/o"
		printf '%d certificates, run %d: confcert %.2f s (peak %d MB), floor %.2f s (peak %d MB), openssl %.2f s (peak %d MB): %.3fx openssl (goal <= 0.10), %.2fx the floor (goal <= 1.2)\n' \
			"$n" $((r + 1)) "$c" $((cm / 1024)) "$f" $((fm / 1024)) "$o" $((om / 1024)) \
			"$(echo "$c / $o" | bc -l)" "$(echo "$c / $f" | bc -l)"
		r=$((r + 1))
	done
}

printf 'load average at start: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
pair "$work/21k.pem" "$runs"
pair "$work/216k.pem" "$bigruns"
printf 'load average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
