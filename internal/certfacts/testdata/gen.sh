#!/bin/sh
# gen.sh writes the describe fixtures with openssl: an RSA root and a leaf it
# signed with SHA-1 (old CMS bundles still hold such chains, seed 002 §4.4),
# and a certificate whose subject needs quoting.
# Run it from anywhere: sh internal/certfacts/testdata/gen.sh
set -eu
cd "$(dirname "$0")"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
openssl req -x509 -new -newkey rsa:2048 -nodes -sha1 -keyout "$T/root.key" -out "$T/root.pem" -days 7300 \
  -subj "/CN=SHA1 Root" -addext basicConstraints=critical,CA:TRUE 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/leaf.key" -out "$T/leaf.csr" -subj "/CN=old.example.com" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:old.example.com,email:pki@example.com,URI:https://old.example.com/\nextendedKeyUsage=serverAuth,1.3.6.1.4.1.311.10.3.4\nkeyUsage=nonRepudiation,keyAgreement\n' > "$T/leaf.ext"
openssl x509 -req -sha1 -in "$T/leaf.csr" -CA "$T/root.pem" -CAkey "$T/root.key" -CAcreateserial -days 3650 \
  -extfile "$T/leaf.ext" -out "$T/leaf.pem" 2>/dev/null
cat "$T/leaf.pem" "$T/root.pem" > sha1-chain.pem
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/q.key" -out quoted.pem -days 3650 \
  -subj '/C=US/O=Example, Inc./OU=a\+b=c/CN=x "y"/emailAddress=a@b.c' 2>/dev/null
