#!/bin/sh
# bench/casign.sh: `confcert ca sign` of one CSR, N times in a loop (a new
# process each time, as a script signing CSRs one by one would run it),
# against `openssl x509 -req` signing the same CSR with the same CA key
# (RSA-2048) N times. Goal (issue 15): confcert at most 1.0x openssl. The two
# loops alternate, so both see the same load; every ratio is of one run.
#
#   sh bench/casign.sh [RUNS] [N]   # from anywhere; default 3 runs of 50
set -eu
runs=${1:-3}
n=${2:-50}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/confcert" ./cmd/confcert)
export CONFCERT_HOME="$work/home"
cd "$work"
"$work/confcert" ca create benchca --key-type rsa2048 >/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout web.key -out web.csr -subj /CN=web.bench.lab \
	-addext subjectAltName=DNS:web.bench.lab 2>/dev/null
printf 'subjectAltName=DNS:web.bench.lab\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' >web.ext

confcert_loop() {
	i=0
	while [ "$i" -lt "$n" ]; do
		"$work/confcert" ca sign web --ca benchca --force >/dev/null
		i=$((i + 1))
	done
}

openssl_loop() {
	i=0
	while [ "$i" -lt "$n" ]; do
		openssl x509 -req -in web.csr -CA "$CONFCERT_HOME/benchca.crt" -CAkey "$CONFCERT_HOME/benchca.key" \
			-CAcreateserial -days 730 -extfile web.ext -out web-openssl.crt 2>/dev/null
		i=$((i + 1))
	done
}

printf 'load average at start: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
r=0
while [ "$r" -lt "$runs" ]; do
	c=$(wall confcert_loop)
	o=$(wall openssl_loop)
	printf 'run %d: %d x confcert ca sign %.2f s, %d x openssl x509 -req %.2f s: %.2fx (goal <= 1.0)\n' \
		$((r + 1)) "$n" "$c" "$n" "$o" "$(echo "$c / $o" | bc -l)"
	r=$((r + 1))
done
printf 'load average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
