#!/bin/sh
# bench/plan.sh: time `confcert plan` on a 10-node Meeting Server cluster
# (16 certificates + 2 CAs, RSA-2048) against
#   - the floor (bench/floor/plan): the same 18 key generations and the
#     signatures, on two workers, with no file, no store, nothing else
#     (goal, issue 15: plan within 1.1x the floor);
#   - the same work done the guides' way, openssl commands one after another
#     (seed 002 Appendix A: genrsa, req, x509 per certificate; issue 4).
# Each run times the three in turn, so they see the same load; every ratio
# printed is of one run. CPU (user+sys) is measured on one more run of each.
#
#   sh bench/plan.sh [RUNS]        # from anywhere; default 3 runs
set -eu
runs=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
if [ "$runs" = --once ]; then
	work=$BENCH_WORK # a child run for cputime, in the parent's directory
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$root" && go build -o "$work/confcert" ./cmd/confcert && go build -o "$work/floor" ./bench/floor/plan)
fi

confcert_once() {
	rm -rf "$work/home" "$work/out"
	CONFCERT_HOME="$work/home" "$work/confcert" plan "$root/bench/cms-10node.yaml" -o "$work/out" >/dev/null 2>&1
}

floor_once() { "$work/floor" -certs 16 -cas 2 -workers 2; }

# ca NAME: a self-signed CA, 10 years (seed 002 A.3 step 1).
ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.crt" -days 3650 \
		-subj "/CN=$1" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# leaf NAME CN SANS CA EKU: key, CSR and CA-signed certificate (seed 002 A.1, A.3 step 2).
leaf() {
	openssl genrsa -out "$1.key" 2048 2>/dev/null
	openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$2" -addext "subjectAltName=$3" \
		-addext "keyUsage=digitalSignature,keyEncipherment" 2>/dev/null
	printf 'subjectAltName=%s\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n' "$3" "$5" >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$4.crt" -CAkey "$4.key" -CAcreateserial -days 730 \
		-extfile "$1.ext" -out "$1.crt" 2>/dev/null
}

openssl_once() {
	rm -rf "$work/ossl" && mkdir "$work/ossl" && cd "$work/ossl"
	ca benchca
	ca benchdbca
	d=bench.cms.lab
	for n in 01 02 03 04 05 06 07 08 09 10; do
		sans="DNS:n$n.$d,DNS:$d,DNS:join.$d,DNS:cluster.$d"
		[ "$n" -le 03 ] && sans="DNS:n$n.$d,DNS:$d,DNS:conf.$d,DNS:join.$d,DNS:cluster.$d"
		leaf "n$n" "cluster.$d" "$sans" benchca serverAuth,clientAuth
	done
	leaf dbserver "n01.$d" "DNS:n02.$d,DNS:n03.$d,DNS:n01.$d" benchdbca serverAuth,clientAuth
	leaf dbclient postgres "DNS:postgres" benchdbca clientAuth
	leaf edge1 "edge1.$d" "DNS:edge1.$d" benchca serverAuth,clientAuth
	leaf edge2 "edge2.$d" "DNS:edge2.$d" benchca serverAuth,clientAuth
	leaf n01-trunk "n01.$d" "DNS:n01.$d" benchca serverAuth,clientAuth
	leaf n02-trunk "n02.$d" "DNS:n02.$d" benchca serverAuth,clientAuth
	cat benchca.crt >benchca-bundle.crt
	cat n01.crt n02.crt n03.crt >xmpptrust.crt
	for n in 01 02 03 04 05 06 07 08 09 10; do openssl verify -CAfile benchca.crt "n$n.crt" >/dev/null; done
	cd "$root"
}

# cputime FUNC: user+sys CPU seconds one run of FUNC takes, all cores added up.
cputime() {
	BENCH_WORK=$work /usr/bin/time -f '%U %S' -o "$work/cpu" sh "$0" --once "$1"
	awk '{ print $1 + $2 }' "$work/cpu"
}

if [ "$runs" = --once ]; then
	"$2"
	exit 0
fi

printf 'cores: %s, load average at start: %s\n' "$(nproc 2>/dev/null || echo ?)" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
i=0
while [ "$i" -lt "$runs" ]; do
	c=$(wall confcert_once)
	f=$(wall floor_once)
	o=$(wall openssl_once)
	printf 'run %d: plan %.2f s, floor %.2f s, openssl %.2f s: plan/floor %.2fx (goal <= 1.1), plan/openssl %.2fx (goal <= 0.25)\n' \
		$((i + 1)) "$c" "$f" "$o" "$(echo "$c / $f" | bc -l)" "$(echo "$c / $o" | bc -l)"
	i=$((i + 1))
done
cc=$(cputime confcert_once)
fc=$(cputime floor_once)
oc=$(cputime openssl_once)
printf 'CPU: plan %.2f s, floor %.2f s, openssl %.2f s: plan/floor %.2fx, plan/openssl %.2fx\n' \
	"$cc" "$fc" "$oc" "$(echo "$cc / $fc" | bc -l)" "$(echo "$cc / $oc" | bc -l)"
printf 'load average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
