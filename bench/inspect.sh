#!/bin/sh
# bench/inspect.sh: time `confcert inspect --json` against
# `openssl storeutl -noout -text -certs` on the same file: the system CA bundle
# concatenated 150 times (21,600 certificates on a 144-certificate bundle).
# Goal (issue 2): confcert takes at most 0.3x openssl's time.
#
#   sh bench/inspect.sh [RUNS]     # from anywhere; default 5 runs, best of each kept
set -eu
runs=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
system=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/confcert" "$root/cmd/confcert"

i=0
while [ "$i" -lt 150 ]; do
	cat "$system"
	i=$((i + 1))
done > "$work/big.pem"
n=$(grep -c 'BEGIN CERTIFICATE' "$work/big.pem")

now() { date +%s.%N; }

# time1 CMD...: the wall time of one run, in seconds.
time1() {
	t0=$(now)
	"$@" >/dev/null 2>&1
	echo "$(now) - $t0" | bc
}

# Runs alternate between the two tools so both see the same machine load.
best_c=""
best_o=""
r=0
while [ "$r" -lt "$runs" ]; do
	c=$(time1 "$work/confcert" inspect --json "$work/big.pem")
	o=$(time1 openssl storeutl -noout -text -certs "$work/big.pem")
	echo "run $((r + 1)): confcert ${c}s  openssl ${o}s  ratio $(echo "scale=3; $c / $o" | bc)"
	if [ -z "$best_c" ] || [ "$(echo "$c < $best_c" | bc)" -eq 1 ]; then best_c=$c; fi
	if [ -z "$best_o" ] || [ "$(echo "$o < $best_o" | bc)" -eq 1 ]; then best_o=$o; fi
	r=$((r + 1))
done
echo "certificates: $n"
echo "confcert inspect --json (best):        ${best_c}s"
echo "openssl storeutl -noout -text (best):  ${best_o}s"
echo "ratio: $(echo "scale=3; $best_c / $best_o" | bc)x (goal <= 0.3)"
