#!/bin/sh
# A Slurm job array for a sweep: one task per shard, then a merge that
# waits for all of them. Submit from the repository root:
#
#   sbatch --array=0-9 docs/cluster/slurm.sh 10
#
# with helmholtz on the PATH (go build ./cmd/helmholtz) and $OUT on a
# filesystem every node sees. Each task is one core: the sweep's runs are
# single-threaded.
#SBATCH --job-name=helmholtz-sweep
#SBATCH --cpus-per-task=1
#SBATCH --time=02:00:00
set -eu
count=$1
dir=$(dirname "$0")
sh "$dir/shard.sh" "$SLURM_ARRAY_TASK_ID" "$count"
# The last task to finish submits nothing; the merge runs as its own job:
#   sbatch --dependency=afterok:$SLURM_ARRAY_JOB_ID --wrap "sh docs/cluster/merge.sh $count"
