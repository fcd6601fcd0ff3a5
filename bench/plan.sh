#!/bin/sh
# bench/plan.sh: time `confcert plan` on a 10-node Meeting Server cluster
# (16 certificates + 2 CAs, RSA-2048) against
#   - the floor (bench/floor/plan): the same 18 key generations and the
#     signatures, on two workers, with no file, no store, nothing else
#     (goal, issue 15: plan within 1.1x the floor);
#   - the same work done the guides' way, openssl commands one after another
#     (seed 002 Appendix A: genrsa, req, x509 per certificate; issue 4).
#
# RSA key generation searches for primes at random: one RSA-2048 key takes
# from under 30 ms to over 150 ms (`go test -run '^$' -bench Spread
# -benchtime 100x ./internal/keys`), so the CPU of the 18 keys of one run
# varies by about 15% (one standard deviation) and the ratio of two runs of
# the same program by about 22%. One run's ratio is mostly that noise. So
# plan and the floor run in PAIRS pairs, in turn, the one that goes first
# alternating; each pair prints its wall and CPU (user+sys, to the
# microsecond: bench/timeit) ratio, and the end prints the median ratio, the
# middle half and the whole range of the pairs' ratios, and the ratio of the
# times of all the pairs added up with its standard error (about 22% over
# the square root of PAIRS on a quiet machine: 4% for 30 pairs). openssl runs
# in the first OPENSSL_RUNS pairs, after the two (its ratio is plan's run of
# that pair over openssl's run). BENCH_AA=1 puts a second floor run in plan's
# place: the floor against itself shows what the noise alone gives.
#
#   sh bench/plan.sh [PAIRS] [OPENSSL_RUNS]   # from anywhere; default 30 and 3
set -eu
pairs=${1:-30}
oruns=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$pairs" = --once ]; then
	work=$BENCH_WORK # a child run of openssl_once, in the parent's directory
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$root" && go build -o "$work/confcert" ./cmd/confcert && go build -o "$work/floor" ./bench/floor/plan)
fi
. "$root/bench/paired.sh"

# confcert_once OUT: one plan from nothing (fresh home and output directory).
confcert_once() {
	rm -rf "$work/home" "$work/out"
	CONFCERT_HOME="$work/home" measure "$1" "$work/confcert" plan "$root/bench/cms-10node.yaml" -o "$work/out"
}

# floor_once OUT: one run of the floor.
floor_once() { measure "$1" "$work/floor" -certs 16 -cas 2 -workers 2; }

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

# openssl_work: the plan the guides' way, in $work/ossl.
openssl_work() {
	cd "$work/ossl"
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
}

if [ "$pairs" = --once ]; then
	openssl_work
	exit 0
fi

# openssl_once OUT: one run of openssl_work, in a shell of its own (timed whole).
openssl_once() {
	rm -rf "$work/ossl" && mkdir "$work/ossl"
	BENCH_WORK=$work measure "$1" sh "$0" --once
}

build_timeit
name=plan
plan_once=confcert_once
if [ "${BENCH_AA:-}" = 1 ]; then
	name=floor2 # the floor against itself: the noise alone
	plan_once=floor_once
fi
printf 'cores: %s, load average at start: %s\n' "$(nproc 2>/dev/null || echo ?)" "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
: >"$work/rw"
: >"$work/rc"
: >"$work/pw"
: >"$work/pc"
: >"$work/fw"
: >"$work/fc"
: >"$work/ro"
i=1
while [ "$i" -le "$pairs" ]; do
	if [ $((i % 2)) = 1 ]; then
		first="$name first"
		$plan_once "$work/p"
		floor_once "$work/f"
	else
		first="floor first"
		floor_once "$work/f"
		$plan_once "$work/p"
	fi
	record_pair p f
	pw=$tw pc=$tc
	line=$(printf 'pair %d (%s): %s %.3f s (CPU %.3f s), floor %.3f s (CPU %.3f s): %s/floor wall %.2fx, CPU %.2fx' \
		"$i" "$first" "$name" "$pw" "$pc" "$fw" "$fc" "$name" "$(ratio "$pw" "$fw")" "$(ratio "$pc" "$fc")")
	if [ "$i" -le "$oruns" ]; then
		openssl_once "$work/o"
		ow=$(wall_of "$work/o") oc=$(cpu_of "$work/o")
		ratio "$pw" "$ow" >>"$work/ro" && echo >>"$work/ro"
		line=$(printf '%s; openssl %.3f s (CPU %.3f s): %s/openssl %.2fx (goal <= 0.25), CPU %.2fx' \
			"$line" "$ow" "$oc" "$name" "$(ratio "$pw" "$ow")" "$(ratio "$pc" "$oc")")
	fi
	echo "$line"
	i=$((i + 1))
done
printf '%s/floor over %d pairs (goal <= 1.1): wall %s; CPU %s\n' "$name" "$pairs" "$(spread "$work/rw")" "$(spread "$work/rc")"
printf '%s/floor, all pairs added up (+/- one standard error): wall %s; CPU %s\n' "$name" \
	"$(totals "$work/pw" "$work/fw")" "$(totals "$work/pc" "$work/fc")"
if [ "$oruns" -gt 0 ]; then
	printf '%s/openssl over %d runs (goal <= 0.25): wall %s\n' "$name" "$oruns" "$(spread "$work/ro")"
fi
printf 'load average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
