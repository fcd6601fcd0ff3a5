#!/bin/sh
# bench/bundle.sh: time `confcert bundle` on a leaf hidden in a pile of
# unrelated CA certificates (the system bundle concatenated 15 and 150 times:
# 2,160 and 21,600 certificates on a 144-certificate bundle), next to
# `confcert inspect` reading the big pile. Goals (issue 3): big <= 15x small
# (linear is 10x) and big bundle <= 3x inspect of the big pile.
#
#   sh bench/bundle.sh [RUNS]      # from anywhere; default 3 runs, best of each kept
set -eu
runs=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
system=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
pki="$root/internal/chain/testdata/pki"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/confcert" "$root/cmd/confcert"

# pile N OUT: the system bundle N times, the leaf and its chain in the middle.
pile() {
	i=0
	while [ "$i" -lt "$1" ]; do
		cat "$system"
		if [ "$i" -eq $(($1 / 2)) ]; then
			cat "$pki/secondary.pem" "$pki/leaf.pem" "$pki/root.pem" "$pki/primary.pem"
		fi
		i=$((i + 1))
	done > "$2"
}

now() { date +%s.%N; }

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

pile 15 "$work/small.pem"
pile 150 "$work/big.pem"
small_n=$(grep -c 'BEGIN CERTIFICATE' "$work/small.pem")
big_n=$(grep -c 'BEGIN CERTIFICATE' "$work/big.pem")
"$work/confcert" bundle --layout fullchain "$work/big.pem" 2>&1 >/dev/null | head -4

small=$(best "$work/confcert" bundle --layout fullchain "$work/small.pem")
big=$(best "$work/confcert" bundle --layout fullchain "$work/big.pem")
inspect=$(best "$work/confcert" inspect "$work/big.pem")
echo "bundle, $small_n certificates:  ${small}s"
echo "bundle, $big_n certificates: ${big}s"
echo "inspect, $big_n certificates: ${inspect}s"
echo "big/small bundle:   $(echo "scale=2; $big / $small" | bc)x (goal <= 15)"
echo "big bundle/inspect: $(echo "scale=2; $big / $inspect" | bc)x (goal <= 3)"
