#!/bin/sh
# bench/expiry.sh: `confcert expiry --json` on the system CA bundle itself
# (144 certificates) and concatenated 150 and 1,500 times (21,600 and
# 216,000 certificates: 33 MB and 330 MB), streamed since issue 15: wall
# time and peak memory (maximum resident set) of each, and the ratios. No
# goal is fixed for expiry beyond issue 15's "memory stays flat": every
# certificate is a row of the report, so the rows grow with the input.
#
#   sh bench/expiry.sh [RUNS] [BIG_RUNS]   # default 3 runs (best kept), 1 on 216,000
set -eu
runs=${1:-3}
bigruns=${2:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
system=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/confcert" ./cmd/confcert)

cp "$system" "$work/144.pem"
i=0
while [ "$i" -lt 150 ]; do
	cat "$system"
	i=$((i + 1))
done >"$work/21k.pem"

# measure FILE RUNS: the best wall time of RUNS runs and the peak resident
# set of the last; exit 1 (something expired) is expiry's answer, not a failure.
measure() {
	b=""
	r=0
	while [ "$r" -lt "$2" ]; do
		/usr/bin/time -f '%e %M' -o "$work/t" "$work/confcert" expiry --json "$1" >/dev/null 2>"$work/err" || [ $? -eq 1 ] || {
			echo "failed: expiry $1" >&2
			cat "$work/err" >&2
			exit 1
		}
		tail -1 "$work/t" >"$work/t1" # GNU time says first when the status is not 0
		read -r t m <"$work/t1"
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" -eq 1 ]; then b=$t; fi
		r=$((r + 1))
	done
	echo "$b $((m / 1024))"
}

printf 'load average at start: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
measure "$work/144.pem" "$runs" >"$work/r"
read -r t1 m1 <"$work/r"
measure "$work/21k.pem" "$runs" >"$work/r"
read -r t2 m2 <"$work/r"
echo "expiry --json, 144 certificates:    ${t1} s, peak ${m1} MB"
echo "expiry --json, 21,600 certificates: ${t2} s, peak ${m2} MB"
if [ "$bigruns" -gt 0 ]; then
	i=0
	while [ "$i" -lt 10 ]; do
		cat "$work/21k.pem"
		i=$((i + 1))
	done >"$work/216k.pem"
	measure "$work/216k.pem" "$bigruns" >"$work/r"
	read -r t3 m3 <"$work/r"
	echo "expiry --json, 216,000 certificates: ${t3} s, peak ${m3} MB; $(echo "scale=2; $t3 / $t2" | bc)x the time and $(echo "scale=2; $m3 / $m2" | bc)x the memory of 21,600"
fi
printf 'load average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
