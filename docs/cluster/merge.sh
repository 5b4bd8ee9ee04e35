#!/bin/sh
# Merges the COUNT shards in $OUT into one report, $OUT/all (see shard.sh).
set -eu
count=$1
: "${HELMHOLTZ:=helmholtz}" "${OUT:=runs/cluster}"
set --
i=0
while [ "$i" -lt "$count" ]; do
	set -- "$@" "$OUT/shard-$i/results.jsonl"
	i=$((i + 1))
done
exec "$HELMHOLTZ" summarize --out "$OUT/all" "$@"
