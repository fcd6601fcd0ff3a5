#!/bin/sh
# Regenerates the openssl-made fixtures of the probe tests. Go refuses to
# sign with MD5, so the MD5 certificate comes from openssl.
set -eu
cd "$(dirname "$0")"
openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -subj /CN=md5.example.test \
	-addext subjectAltName=DNS:md5.example.test -md5 -days 36500 -out md5-selfsigned.pem 2>/dev/null
