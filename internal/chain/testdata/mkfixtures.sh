#!/bin/sh
# mkfixtures.sh makes the certificate piles of the chain golden tests with
# openssl, in every shape a CA sends: PEM with openssl's text around the
# blocks, CRLF text, DER, PKCS#7 and PKCS#12. Run it from this directory:
#   sh mkfixtures.sh && go test ./internal/chain -run TestGolden -update
set -eu
cd "$(dirname "$0")"
mkdir -p pki piles
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ext() { # ext NAME LINES...: write an extension section to $tmp/NAME.ext
	name=$1; shift
	printf '%s\n' "[v3]" "$@" > "$tmp/$name.ext"
}
ext ca "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign" \
	"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid"
ext leaf "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
	"extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:meet.example.com,DNS:join.example.com" \
	"subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "pki/$1.key" 2>/dev/null; }

root() { # root NAME CN
	key "$1"
	openssl req -x509 -new -key "pki/$1.key" -subj "/O=Example/CN=$2" -days 36500 -sha256 \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		-out "pki/$1.pem"
}

issue() { # issue NAME CN ISSUER EXT [KEYNAME]
	keyname=${5:-$1}
	[ -f "pki/$keyname.key" ] || key "$keyname"
	openssl req -new -key "pki/$keyname.key" -subj "/O=Example/CN=$2" -out "$tmp/$1.csr"
	openssl x509 -req -in "$tmp/$1.csr" -CA "pki/$3.pem" -CAkey "pki/$3.key" -set_serial "0x$(openssl rand -hex 8)" \
		-days 36000 -sha256 -extfile "$tmp/$4.ext" -extensions v3 -out "pki/$1.pem" 2>/dev/null
}

root root "Example Root CA"
root root2 "Example Root CA R2"
issue primary "Example Primary Intermediate CA" root ca
issue primary-x "Example Primary Intermediate CA" root2 ca primary
issue secondary "Example Secondary Intermediate CA" primary ca
issue leaf "meet.example.com" secondary leaf
root stray-root "Stray Root CA"
issue stray-inter "Stray Intermediate CA" stray-root ca
key other
ext other "basicConstraints=CA:FALSE" "subjectAltName=DNS:other.example.com"
issue other-leaf "other.example.com" stray-inter other other

# A PEM pile as CAs and openssl write them: text around and between blocks,
# blank lines, a duplicate and strays, in no particular order.
{
	for c in stray-inter root secondary primary secondary; do
		openssl x509 -in "pki/$c.pem" -subject -issuer
		echo
	done
} > piles/shuffled.pem
sed 's/$/\r/' piles/shuffled.pem > piles/windows-crlf.cer
openssl x509 -in pki/leaf.pem -outform DER -out piles/leaf.der
openssl crl2pkcs7 -nocrl -certfile pki/secondary.pem -certfile pki/stray-root.pem -certfile pki/primary.pem \
	-outform DER -out piles/intermediates.p7b
openssl pkcs12 -export -inkey pki/leaf.key -in pki/leaf.pem -certfile pki/secondary.pem \
	-passout pass:secret -out piles/leaf.pfx
