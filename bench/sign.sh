#!/bin/sh
# bench/sign.sh: signing 1,000 CSRs in one process. A 1,000-node Meeting
# Server deployment is planned once (ECDSA P-256 node keys, a local CA of
# type CA_KEY); then, each run, every node certificate is deleted and
# `confcert plan` signs the 1,000 CSRs again (reading the plan, the keys and
# the CSRs, batches of serials and records, each certificate file synced, the
# install notes and plan.json checked), against `openssl ca -batch -infiles`
# signing the same 1,000 CSRs with the same CA key (its text database, one
# certificate file each). Goal (issue 15): confcert at most 0.5x openssl.
# The two alternate; every ratio is of one run. Each line also gives the CPU
# (user+sys, bench/timeit) of the two processes alone: confcert uses both
# cores, openssl one, so on a shared machine the wall ratio moves with the
# neighbours' load more than the CPU does.
#
# The same file-system work for both: each tool writes its 1,000 files into
# a directory that persists from run to run and whose previous 1,000 files
# were just deleted (confcert: out/, the node certificates; openssl:
# ossl/certs, its <serial>.pem files, with its index and serial files made
# anew as before). That is the re-signing a user does, and on ext4 creating
# a file where many were just deleted costs more than in a new directory
# (inode allocation skips recently deleted inodes for about a minute): a
# fresh directory for one tool and not the other measured the file system,
# not the tool.
#
#   sh bench/sign.sh [RUNS] [NODES] [CA_KEY]
#       from anywhere; default 3 runs, 1000 nodes, CA_KEY rsa2048 (any
#       `ca_key` of a deployment: rsa2048, rsa3072, rsa4096, ecdsa-p256,
#       ecdsa-p384)
set -eu
runs=${1:-3}
nodes=${2:-1000}
cakey=${3:-rsa2048}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$root/bench/paired.sh"
build_timeit
(cd "$root" && go build -o "$work/confcert" ./cmd/confcert)
export CONFCERT_HOME="$work/home"
cd "$work"
{
	printf 'product: cms\nversion: "2.9"\ndomain: sign.cms.lab\nkey: ecdsa-p256\nca_key: %s\n' "$cakey"
	printf 'internal_ca: signca\ncallbridge_cluster: cluster.sign.cms.lab\nwebbridge: join.sign.cms.lab\nnodes:\n'
	i=1
	while [ "$i" -le "$nodes" ]; do
		printf '  - {name: n%04d, fqdn: n%04d.sign.cms.lab, services: [callbridge, webadmin]}\n' "$i" "$i"
		i=$((i + 1))
	done
} >nodes.yaml
"$work/confcert" plan nodes.yaml -o out >/dev/null # keys, CSRs, the CA: made once
mkdir -p ossl/certs # kept from run to run, as out/ is
cat >ca.cnf <<CNF
[ ca ]
default_ca = bench
[ bench ]
dir = $work/ossl
database = \$dir/index.txt
new_certs_dir = \$dir/certs
serial = \$dir/serial
certificate = $CONFCERT_HOME/signca.crt
private_key = $CONFCERT_HOME/signca.key
default_md = sha256
default_days = 730
policy = anything
copy_extensions = copy
unique_subject = no
x509_extensions = leaf
[ anything ]
commonName = supplied
[ leaf ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

confcert_once() {
	rm -f out/n[0-9]*.crt
	measure "$work/c.m" "$work/confcert" plan nodes.yaml -o out
}

openssl_once() {
	rm -f ossl/certs/*.pem ossl/index.txt* ossl/serial* ossl/all.pem
	: >ossl/index.txt && echo 01 >ossl/serial
	measure "$work/o.m" openssl ca -config ca.cnf -batch -notext -out ossl/all.pem -infiles out/n[0-9]*.csr
}

printf 'CA key %s, node keys ecdsa-p256\n' "$cakey"
printf 'load average at start: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
r=0
while [ "$r" -lt "$runs" ]; do
	c=$(wall confcert_once)
	o=$(wall openssl_once)
	printf 'run %d: %d CSRs: confcert plan %.2f s, openssl ca -batch %.2f s: %.2fx (goal <= 0.5); CPU %.2f s vs %.2f s: %.2fx\n' \
		$((r + 1)) "$(ls out/n[0-9]*.csr | wc -l)" "$c" "$o" "$(echo "$c / $o" | bc -l)" \
		"$(cpu_of "$work/c.m")" "$(cpu_of "$work/o.m")" "$(ratio "$(cpu_of "$work/c.m")" "$(cpu_of "$work/o.m")")"
	r=$((r + 1))
done
printf 'certificates signed by openssl: %s (files: %s)\n' "$(grep -c '^V' ossl/index.txt)" "$(ls ossl/certs | wc -l)"
printf 'load average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
