#!/usr/bin/env bash
# Times the canonical run (helmholtz train, seed 2, 2,000,000 steps, 1,001
# exact evaluations, 41 snapshots) against a numpy implementation of the
# same recipe on this machine, the two alternately, three times each, and
# prints every time, the best of three of each and their ratio. Times are
# whole processes, start to exit.
#
#   docs/speed/side-by-side.sh                       # against docs/speed/numpy_stub.py
#   docs/speed/side-by-side.sh path/to/bars.py --seed 2 --n-steps 2000000 \
#       --lr 0.1 --batch-size 1 --eval-every 50000   # against the seed's own stub
#
# Run it from the repository's root; it needs Go and python3 with numpy
# (PYTHON=/usr/bin/python3, say, picks the interpreter that has it).
set -euo pipefail

if [ $# -eq 0 ]; then
	set -- docs/speed/numpy_stub.py --seed 2 --n-steps 2000000
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/helmholtz" ./cmd/helmholtz

now() { date +%s.%N; }
best() { sort -g | head -1; }
for i in 1 2 3; do
	t0=$(now)
	"${PYTHON:-python3}" "$@" >"$tmp/numpy.out"
	t1=$(now)
	"$tmp/helmholtz" train --out "$tmp/run" --force --quiet >/dev/null
	t2=$(now)
	awk "BEGIN { print $t1 - $t0 }" >>"$tmp/numpy.times"
	awk "BEGIN { print $t2 - $t1 }" >>"$tmp/go.times"
	printf 'round %d: numpy %.1f s, helmholtz %.2f s\n' "$i" "$(tail -1 "$tmp/numpy.times")" "$(tail -1 "$tmp/go.times")"
done
n=$(best <"$tmp/numpy.times")
g=$(best <"$tmp/go.times")
printf 'best of three: numpy %.1f s, helmholtz %.2f s: %.0fx\n' "$n" "$g" "$(awk "BEGIN { print $n / $g }")"
