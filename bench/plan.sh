#!/bin/sh
# bench/plan.sh: time `confcert plan` on a 10-node Meeting Server cluster
# (16 certificates + 2 CAs, RSA-2048) against the same work done the guides'
# way, openssl commands one after another (seed 002 Appendix A: genrsa, req,
# x509 per certificate). Prints both times and the ratio (goal <= 0.25).
#
#   sh bench/plan.sh [RUNS]        # from the repository root; default 3 runs, best of each kept
set -eu
runs=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$runs" = --once ]; then
	work=$BENCH_WORK # a child run for cputime, in the parent's directory
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	go build -o "$work/confcert" "$root/cmd/confcert"
fi

now() { date +%s.%N; }

confcert_once() {
	rm -rf "$work/home" "$work/out"
	CONFCERT_HOME="$work/home" "$work/confcert" plan "$root/bench/cms-10node.yaml" -o "$work/out" >/dev/null
}

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

# best RUNS FUNC: the fastest of RUNS timed runs, in seconds.
best() {
	b=""
	i=0
	while [ "$i" -lt "$runs" ]; do
		t0=$(now); "$2"; t1=$(now)
		t=$(echo "$t1 - $t0" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
		i=$((i + 1))
	done
	echo "$b"
}

c=$(best "$runs" confcert_once)
o=$(best "$runs" openssl_once)
cc=$(cputime confcert_once)
oc=$(cputime openssl_once)
printf 'cores:            %s (load average %s)\n' "$(nproc 2>/dev/null || echo ?)" "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)"
printf 'confcert plan:    %.2f s wall, %.2f s CPU\n' "$c" "$cc"
printf 'openssl, serial:  %.2f s wall, %.2f s CPU\n' "$o" "$oc"
printf 'ratio:            %.2fx wall (goal <= 0.25x), %.2fx CPU\n' "$(echo "$c / $o" | bc -l)" "$(echo "$cc / $oc" | bc -l)"
