#!/bin/sh
# gen.sh writes the certio test fixtures with openssl, in every shape an
# administrator meets: PEM mixtures (LF, CRLF, openssl's Bag Attributes text,
# blank lines, TRUSTED CERTIFICATE, NEW CERTIFICATE REQUEST), DER, PKCS#7 (DER
# and PEM, as OpenSSL 3 writes it without the empty CRL field), PKCS#12
# (legacy 3DES/RC2 and modern AES/PBES2) and private keys in PKCS#1, SEC1,
# PKCS#8, encrypted PKCS#8 and legacy encrypted PEM.
#
# Run it from anywhere: sh internal/certio/testdata/gen.sh
# then refresh the golden files that name these fixtures:
#   go test -update ./internal/certio ./internal/certfacts
# The password of every encrypted fixture is in password.txt.
set -eu
cd "$(dirname "$0")"
PASS=test-pass
printf '%s' "$PASS" > password.txt
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# A root CA (ECDSA P-256), an intermediate (ECDSA P-256) and an RSA leaf.
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$T/root.key" -out root.pem -days 7300 -subj "/O=Fixture/CN=Fixture Root CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$T/int.key" -out "$T/int.csr" -subj "/O=Fixture/CN=Fixture Intermediate CA" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' > "$T/int.ext"
openssl x509 -req -in "$T/int.csr" -CA root.pem -CAkey "$T/root.key" -CAcreateserial \
  -out int.pem -days 7000 -extfile "$T/int.ext" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/leaf.key" 2>/dev/null
openssl req -new -key "$T/leaf.key" -out leaf.csr -subj "/O=Fixture/CN=cms.example.com" \
  -addext subjectAltName=DNS:cms.example.com,DNS:join.example.com,IP:192.0.2.10 \
  -addext keyUsage=digitalSignature,keyEncipherment 2>/dev/null
printf 'subjectAltName=DNS:cms.example.com,DNS:join.example.com,IP:192.0.2.10\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' > "$T/leaf.ext"
openssl x509 -req -in leaf.csr -CA int.pem -CAkey "$T/int.key" -CAcreateserial \
  -out leaf.pem -days 3650 -extfile "$T/leaf.ext" 2>/dev/null
openssl req -new -key "$T/leaf.key" -out new-csr.pem -subj "/CN=cms.example.com" -newhdr 2>/dev/null

cat leaf.pem int.pem root.pem > chain.pem
# CRLF line endings.
sed 's/$/\r/' chain.pem > chain-crlf.pem
# Text before, between and after blocks, and blank lines.
{ echo "Certificate chain for cms.example.com"; echo; cat leaf.pem; echo; echo;
  echo "subject=CN = Fixture Intermediate CA"; cat int.pem; echo "trailing words"; } > chain-text.pem
# TRUSTED CERTIFICATE (openssl's auxiliary trust format).
openssl x509 -in root.pem -trustout -addtrust serverAuth -out trusted.pem
# A key, a certificate and a CSR in one PEM file.
openssl pkey -in "$T/leaf.key" -out "$T/leaf-pkcs8.pem"
cat "$T/leaf-pkcs8.pem" leaf.pem leaf.csr > mixed.pem

# DER.
openssl x509 -in leaf.pem -outform DER -out leaf.der
openssl req -in leaf.csr -outform DER -out leaf-csr.der
openssl rsa -in "$T/leaf.key" -traditional -outform DER -out rsa-pkcs1.der 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$T/leaf.key" -outform DER -out rsa-pkcs8.der
openssl ec -in "$T/int.key" -outform DER -out ec-sec1.der 2>/dev/null

# PKCS#7, certificates only (OpenSSL 3 omits the empty CRL field).
openssl crl2pkcs7 -nocrl -certfile chain.pem -outform DER -out chain.p7b
openssl crl2pkcs7 -nocrl -certfile chain.pem -out chain-p7b.pem

# PKCS#12: modern (AES-256-CBC, PBES2, the OpenSSL 3 default) and legacy (3DES/RC2).
cat int.pem root.pem > "$T/cas.pem"
openssl pkcs12 -export -inkey "$T/leaf.key" -in leaf.pem -certfile "$T/cas.pem" \
  -name cms -passout "pass:$PASS" -out modern.p12
openssl pkcs12 -export -legacy -inkey "$T/leaf.key" -in leaf.pem -certfile "$T/cas.pem" \
  -name cms -passout "pass:$PASS" -out legacy.p12 2>/dev/null
# What `openssl pkcs12 -nokeys` prints: Bag Attributes and subject=/issuer= lines.
openssl pkcs12 -in modern.p12 -nokeys -passin "pass:$PASS" -out bag-attributes.pem

# Private keys.
openssl rsa -in "$T/leaf.key" -traditional -out rsa-pkcs1.pem 2>/dev/null
cp "$T/leaf-pkcs8.pem" rsa-pkcs8.pem
openssl ec -in "$T/int.key" -out ec-sec1.pem 2>/dev/null
openssl pkey -in "$T/int.key" -out ec-pkcs8.pem
openssl genpkey -algorithm ed25519 -out ed25519.pem
openssl pkcs8 -topk8 -v2 aes256 -in "$T/leaf.key" -passout "pass:$PASS" -out rsa-pkcs8-enc.pem
openssl pkcs8 -topk8 -v2 aes256 -in "$T/int.key" -passout "pass:$PASS" -outform DER -out ec-pkcs8-enc.der
openssl rsa -in "$T/leaf.key" -aes256 -traditional -passout "pass:$PASS" -out rsa-legacy-enc.pem 2>/dev/null
openssl ec -in "$T/int.key" -aes128 -passout "pass:$PASS" -out ec-legacy-enc.pem 2>/dev/null
# Public keys.
openssl pkey -in "$T/leaf.key" -pubout -out rsa-pub.pem
openssl pkey -in ed25519.pem -pubout -outform DER -out ed25519-pub.der

# Not a PKI file.
printf 'hello, this is not a certificate\n' > unknown.txt


# Key derivation beyond what certio accepts (a denial-of-service shape).
openssl pkcs8 -topk8 -v2 aes256 -iter 2100000 -in "$T/int.key" -passout "pass:$PASS" -out costly-pkcs8-enc.pem
rm -f root.srl int.srl
