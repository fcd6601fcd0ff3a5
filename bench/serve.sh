#!/bin/sh
# bench/serve.sh: the CA service's numbers of docs/performance.md, in one run.
#
#   - raw x509.CreateCertificate rate of a leaf like the service's (3 SANs,
#     CRL DP, OCSP URL, serverAuth+clientAuth), ECDSA P-256 and RSA-2048 CA keys;
#   - issuance with automatic approval through the service (CSR judged by its
#     check role, serial reserved, copy linted, signed, compared, recorded with
#     its request and audit entries), SQLite with synchronous=FULL, one client;
#     the ratio to the raw rate (goal >= 50%);
#   - the same over HTTPS on loopback with 8 clients, SQLite and PostgreSQL
#     (when CONFCERT_TEST_PG is set);
#   - OCSP answers per second from the pre-signed set, in process and over HTTPS.
#
#   sh bench/serve.sh [BENCHTIME]     # from the repository root; default 3s
set -eu
t=${1:-3s}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cd "$root"
go test -run '^$' -bench 'RawCreateCertificate|IssueAuto|OCSPPresigned' -benchtime "$t" ./internal/caservice | tee "$out"
go test -run '^$' -bench 'HTTP' -benchtime "$t" ./internal/caserver | tee -a "$out"
echo
awk '
/certs\/s|answers\/s/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 2; i < NF; i++) if ($(i+1) == "certs/s" || $(i+1) == "answers/s") rate[name] = $i
}
END {
	for (k in rate) printf "%-45s %10.1f /s\n", k, rate[k]
	split("ecdsa-p256 rsa2048", kt, " ")
	for (i = 1; i <= 2; i++) {
		raw = rate["BenchmarkRawCreateCertificate/" kt[i]]
		svc = rate["BenchmarkIssueAuto/" kt[i]]
		if (raw > 0) printf "issuance/raw, %-10s %5.1f%% (goal >= 50%%)\n", kt[i], 100 * svc / raw
	}
}' "$out" | sort
