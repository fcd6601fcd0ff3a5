#!/bin/sh
# bench/stepca.sh: step-ca's /1.0/sign beside confcert serve with automatic
# approval (POST /api/v1/requests), on the same work, one after the other in
# one run (issue 12; docs/performance.md, "serve (the CA service)"):
#
#   - the same ECDSA P-256 CSRs (CN cb.example.com, 3 DNS SANs), each with
#     its own key;
#   - CA keys ECDSA P-256, then RSA-2048 (step-ca: root and intermediate of
#     that type, as `step ca init --kty` makes them; confcert: `ca create
#     --key-type`);
#   - the same number of concurrent clients over HTTPS on loopback, HTTP/1.1
#     keep-alive, 90-day certificates;
#   - step-ca as `step ca init` configures it: badgerv2 database, one JWK
#     provisioner, one-time tokens minted (ES256) after it starts and before
#     the timed run; confcert serve with its default SQLite store.
#
# It prints a table: certificates/s, latency p50/p99, the server's CPU time
# per certificate and the load average before each run.
#
#   sh bench/stepca.sh [N] [CLIENTS]    # from anywhere; default 2000 certificates, 8 clients
#
# step-ca is built once with `go install` from the Go module proxy into a
# cache outside the repository (STEPCA_CACHE, default
# ${XDG_CACHE_HOME:-$HOME/.cache}/confcert-bench), version STEPCA_VERSION
# (default v0.30.2); STEPCA_BIN=/path/to/step-ca uses that binary instead.
# When step-ca cannot be built, the script says why and skips (exit 0).
# CI never runs it; its Go code is a module of its own (bench/stepca), so
# confcert's go.mod and `go test ./...` do not include it.
set -eu
n=${1:-2000}
clients=${2:-8}
version=${STEPCA_VERSION:-v0.30.2}
cache=${STEPCA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/confcert-bench}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

stepca=${STEPCA_BIN:-}
if [ -z "$stepca" ]; then
	stepca=$cache/step-ca-$version/step-ca
	if [ ! -x "$stepca" ]; then
		mkdir -p "$cache/step-ca-$version"
		log=$cache/step-ca-$version/build.log
		echo "building step-ca $version from the Go module proxy into $cache/step-ca-$version (once; several minutes on 2 cores)"
		# CGO_ENABLED=0 leaves out PKCS#11 and YubiKey; noazurekms and notpmkms
		# leave out two KMS backends. nocloudkms and noawskms would leave out
		# more but do not build in go.step.sm/crypto v0.77.1 (their decrypter.go
		# has no build tag), nor does nosshagentkms (the authority uses it).
		if ! (cd "$tmp" && timeout 3600 nice -n 10 env GOBIN="$cache/step-ca-$version" CGO_ENABLED=0 \
			go install -tags 'noazurekms notpmkms' -ldflags "-s -w -X main.Version=$version" \
			"github.com/smallstep/certificates/cmd/step-ca@$version") >"$log" 2>&1; then
			echo "bench/stepca.sh: skipped: step-ca $version could not be built with go install; the end of $log:"
			tail -n 15 "$log" | sed 's/^/  /'
			exit 0
		fi
	fi
fi
if [ ! -x "$stepca" ]; then
	echo "bench/stepca.sh: skipped: $stepca is not an executable step-ca"
	exit 0
fi
echo "step-ca: $stepca ($("$stepca" version 2>/dev/null | head -n 1))"

(cd "$root" && go build -o "$tmp/confcert" ./cmd/confcert)
(cd "$root/bench/stepca" && go build -o "$tmp/stepcabench" .)
"$tmp/stepcabench" -stepca "$stepca" -confcert "$tmp/confcert" -n "$n" -clients "$clients" -work "$tmp/work"
