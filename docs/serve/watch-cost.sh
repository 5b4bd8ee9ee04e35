#!/bin/bash
# How much watching a run in the explorer slows its training: six pairs of
# the same 16,000,000-step run (seeds 1-6), one trained alone and one
# watched in headless Chromium through `helmholtz serve`, in alternating
# order; prints each run's wall-clock row. Needs chromium and a built
# helmholtz: HELMHOLTZ=/path/to/helmholtz docs/serve/watch-cost.sh
set -euo pipefail
: "${HELMHOLTZ:=helmholtz}"
dir=$(mktemp -d)
trap 'kill $serve 2>/dev/null; rm -rf "$dir"' EXIT
"$HELMHOLTZ" serve --runs "$dir" --addr 127.0.0.1:8092 --read-only 2>/dev/null &
serve=$!
sleep 1
train() { "$HELMHOLTZ" train --n-steps 16000000 --snapshot-every 400000 --seed "$1" --out "$dir/$2$1" --quiet | grep Wall | sed "s/^/$2 $1: /"; }
for i in 1 2 3 4 5 6; do
	[ $((i % 2)) = 1 ] && train $i alone
	train $i watched &
	t=$!
	sleep 0.3
	chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$dir/chrome$i" --remote-debugging-port=0 "http://127.0.0.1:8092/run/watched$i" >/dev/null 2>&1 &
	c=$!
	wait $t
	kill $c
	wait $c 2>/dev/null || true
	[ $((i % 2)) = 0 ] && train $i alone
done
