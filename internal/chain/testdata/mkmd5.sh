#!/bin/sh
# mkmd5.sh makes md5/: a root and a leaf both signed with md5WithRSAEncryption
# (Go cannot make such certificates; old appliances still carry them). Run it
# from anywhere: sh internal/chain/testdata/mkmd5.sh
set -eu
cd "$(dirname "$0")/md5"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/root.key" -out root.pem -subj "/O=Example/CN=MD5 Root" \
	-days 36500 -md5 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$tmp/leaf.key" -out "$tmp/leaf.csr" -subj "/CN=old.example.com" 2>/dev/null
printf 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:old.example.com\nextendedKeyUsage=serverAuth\n' > "$tmp/leaf.ext"
openssl x509 -req -in "$tmp/leaf.csr" -CA root.pem -CAkey "$tmp/root.key" -CAcreateserial -days 36000 -md5 \
	-extfile "$tmp/leaf.ext" -out leaf.pem 2>/dev/null
rm -f root.srl
