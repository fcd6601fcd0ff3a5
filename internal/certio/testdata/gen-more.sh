#!/bin/sh
# gen-more.sh writes, from the fixtures gen.sh made, the files confcert once
# refused although administrators meet them (issue 11, item 13), and a file
# whose key derivation adds up past the per-file budget (item 9):
#   pbes1-3des.pem/.der  PBES1 PKCS#8 (openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES, as
#                        OpenSSL 1.0, Java and Windows write it)
#   certonly.p12         a certificate-only PFX (openssl pkcs12 -export -nokeys)
#   nomac.p12            a PFX without a MAC (openssl pkcs12 -export -nomac)
#   nomac-legacy.p12     the same with 3DES/RC2 (-legacy)
#   kdf-budget.pem       20 encrypted keys of 60,000 PBKDF2 iterations each
#
# Run it from anywhere after gen.sh: sh internal/certio/testdata/gen-more.sh
set -eu
cd "$(dirname "$0")"
PASS=$(cat password.txt)
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in rsa-pkcs8.pem -passout "pass:$PASS" -out pbes1-3des.pem
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in ec-pkcs8.pem -passout "pass:$PASS" -outform DER -out pbes1-3des.der
openssl pkcs12 -export -nokeys -in chain.pem -passout "pass:$PASS" -out certonly.p12
openssl pkcs12 -export -nomac -inkey rsa-pkcs8.pem -in leaf.pem -certfile int.pem -passout "pass:$PASS" -out nomac.p12
openssl pkcs12 -export -nomac -legacy -inkey rsa-pkcs8.pem -in leaf.pem -passout "pass:$PASS" -out nomac-legacy.p12 2>/dev/null
: > kdf-budget.pem
for i in $(seq 20); do
  openssl pkcs8 -topk8 -v2 aes256 -iter 60000 -in ec-pkcs8.pem -passout "pass:$PASS" >> kdf-budget.pem
done
