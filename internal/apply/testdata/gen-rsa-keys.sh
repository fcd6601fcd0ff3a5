#!/bin/sh
# Writes rsa2048-keys.pem: 16 RSA-2048 keys (PKCS#8) that TestExamples gives
# the examples' certificates and CAs as existing keys, so that the RSA path
# (keyEncipherment in CSR, certificate and checks) is tested without making
# an RSA key in the suite. Run from this directory: sh gen-rsa-keys.sh
set -e
: > rsa2048-keys.pem
for i in $(seq 16); do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 >> rsa2048-keys.pem
done
