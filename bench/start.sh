#!/bin/sh
# bench/start.sh: what every confcert process pays before its verb runs
# (issue 15 item 4, "start fast"). Go runs the initialisation of every
# package linked into the binary, whatever the verb; GODEBUG=inittrace=1
# prints each package's share. This runs `confcert -h` RUNS times and prints
# the median, over the runs, of the milliseconds spent initialising:
#   - zlint and zcrypto (the lints only `check` and `serve` run),
#   - Prometheus's client and what it pulls in (only `serve` has /metrics),
#   - confcert's own packages,
#   - every package together;
# and the allocations of confcert's own packages at start (a count, the same
# on every machine: TestOwnPackagesStartCheap keeps each package under 16).
#
#   sh bench/start.sh [RUNS]   # from anywhere; default 30 runs
set -eu
runs=${1:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/confcert" ./cmd/confcert)

i=0
while [ "$i" -lt "$runs" ]; do
	GODEBUG=inittrace=1 "$work/confcert" -h 2>&1 >/dev/null | awk -v run="$i" '
		$1 == "init" {
			ms = $5; group = "other"
			if ($2 ~ /^github.com\/zmap\//) group = "zlint+zcrypto"
			else if ($2 ~ /prometheus|protobuf|procfs|expvar/) group = "prometheus"
			else if ($2 ~ /^github.com\/confcert\//) group = "confcert"
			sum[group] += ms; total += ms
			if (group == "confcert") allocs += $(NF - 1)
		}
		END {
			printf "%s %.3f %.3f %.3f %.3f %d\n", run, sum["zlint+zcrypto"], sum["prometheus"], sum["confcert"], total, allocs
		}'
	i=$((i + 1))
done >"$work/runs"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf 'load average: %s; %d runs of confcert -h, median package initialisation:\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$runs"
printf '  zlint and zcrypto:          %s ms\n' "$(cut -d' ' -f2 "$work/runs" | median)"
printf '  Prometheus client chain:    %s ms\n' "$(cut -d' ' -f3 "$work/runs" | median)"
printf '  confcert own packages:      %s ms (%s allocations)\n' "$(cut -d' ' -f4 "$work/runs" | median)" "$(cut -d' ' -f6 "$work/runs" | median)"
printf '  every package together:     %s ms\n' "$(cut -d' ' -f5 "$work/runs" | median)"
