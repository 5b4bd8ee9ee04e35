#!/usr/bin/env bash
# Times the 100-seed sweeps of issue 13 for the code as it is and for an
# earlier revision (default 97a0619, the last before chains in lanes),
# the two alternately, ROUNDS times (default 2): the stub recipe
# (`sweep --seeds 1-100`) and the recommended one (`sweep --seeds 1-100
# $(cat docs/RECIPE)`), 2,000,000 steps a run, on every core. It prints
# every time and checks that both revisions wrote the same results.csv
# but the seconds column: the speed-up must not change a number.
#
#   docs/speed/sweeps.sh            # against 97a0619, two rounds
#   docs/speed/sweeps.sh REV 3      # against REV, three rounds
#
# Run it from the repository's root of a git checkout; it needs Go and
# git, and takes about 3 minutes a round on a 2-core VM. SEEDS=1-8, say,
# runs fewer seeds.
set -euo pipefail

base=${1:-97a0619}
rounds=${2:-2}
if ! [[ $rounds =~ ^[1-9][0-9]?$ ]]; then
	echo "sweeps.sh: ROUNDS must be a whole number from 1 to 99, not \"$rounds\"" >&2
	exit 2
fi
if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
	echo "sweeps.sh: no commit \"$base\" in this repository" >&2
	exit 2
fi
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/src" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/now" ./cmd/helmholtz
git worktree add --detach "$tmp/src" "$base" >"$tmp/git.log" 2>&1 || { cat "$tmp/git.log" >&2; exit 1; }
(cd "$tmp/src" && go build -o "$tmp/base" ./cmd/helmholtz)

now() { date +%s.%N; }
# sweep BIN OUT [FLAGS...] runs one sweep and prints its wall time.
sweep() {
	local bin=$1 out=$2
	shift 2
	local t0
	rm -rf "$out"
	t0=$(now)
	"$tmp/$bin" sweep --seeds "${SEEDS:-1-100}" --out "$out" "$@" >"$tmp/sweep.log" 2>&1 ||
		{ cat "$tmp/sweep.log" >&2; return 1; }
	awk "BEGIN { printf \"%.2f\", $(now) - $t0 }"
}
# same A B reports whether two results.csv agree but for their seconds.
same() {
	local sec
	sec=$(head -1 "$1" | tr ',' '\n' | grep -nx seconds | cut -d: -f1)
	if cmp -s <(cut -d, -f"$sec" --complement "$1" | sort) <(cut -d, -f"$sec" --complement "$2" | sort); then
		echo "the same results.csv but the seconds"
	else
		echo "DIFFERENT results.csv"
		return 1
	fi
}
recipe=$(cat docs/RECIPE)
for i in $(seq "$rounds"); do
	for bin in base now; do
		s=$(sweep "$bin" "$tmp/stub-$bin")
		# shellcheck disable=SC2086 # the recipe is a list of flags
		r=$(sweep "$bin" "$tmp/recipe-$bin" $recipe)
		echo "round $i, $bin ($([ "$bin" = base ] && echo "$base" || echo "this checkout")): stub $s s, recipe $r s"
	done
	echo "stub: $(same "$tmp/stub-base/results.csv" "$tmp/stub-now/results.csv")"
	echo "recipe: $(same "$tmp/recipe-base/results.csv" "$tmp/recipe-now/results.csv")"
done
