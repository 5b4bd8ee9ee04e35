#!/bin/sh
# Runs shard INDEX (0-based, as Slurm array task IDs and Kubernetes
# completion indexes count) of COUNT of a sweep, into $OUT/shard-INDEX.
# Settings come from the environment, with the study's defaults:
#   HELMHOLTZ  the binary (default: helmholtz on the PATH)
#   SEEDS      the seeds (default 1-100)
#   STEPS      steps per run (default 2000000)
#   RECIPE     sweep flags (default: the recommended recipe, docs/RECIPE)
#   OUT        the directory shared by the shards (default runs/cluster)
set -eu
index=$1
count=$2
: "${HELMHOLTZ:=helmholtz}" "${SEEDS:=1-100}" "${STEPS:=2000000}" "${OUT:=runs/cluster}"
: "${RECIPE:=$(cat "$(dirname "$0")/../RECIPE")}"
# shellcheck disable=SC2086 # RECIPE is a list of flags
exec "$HELMHOLTZ" sweep --seeds "$SEEDS" --n-steps "$STEPS" --shard "$((index + 1))/$count" \
	--workers 1 --quiet --out "$OUT/shard-$index" $RECIPE
