#!/usr/bin/env bash
# The paper grid on a Slurm cluster without MPI: a job array whose task I runs share I of N of the
# grid (./experiments/paper --cell I --of N). Each share is a fixed, disjoint set of cells (longest
# first by the protocols' estimates), so tasks never run the same cell; a task that is preempted or
# hits its time limit is resubmitted with the same index and resumes its cell from the last saved
# epoch. Every task rewrites the aggregate (<out>/paper/table1.md, figure2_*.svg) after each of its
# cells, under a lock, so it is current whichever task finishes last.
#
#   sbatch --array=0-15 scripts/paper_slurm.sh --data-root /shared/data --out /shared/results
#   sbatch --array=0-15 --partition=gpu --gres=gpu:1 scripts/paper_slurm.sh --pairs alexnet_cifar100 --device cuda ...
#
# --array=0-(N-1) sets N (SLURM_ARRAY_TASK_COUNT); extra flags go to every task. --out must be on a
# filesystem every node sees. Before submitting, `./experiments/paper --plan --of N --cell 0 ...` shows
# the cells, their shares and the time left. After the array: ./experiments/paper --aggregate --out ...
#
#SBATCH --job-name=probenet-paper
#SBATCH --cpus-per-task=8
#SBATCH --time=24:00:00
#SBATCH --output=paper-%A_%a.log
set -euo pipefail
: "${SLURM_ARRAY_TASK_ID:?run this through sbatch --array=0-(N-1)}"
shares=${SLURM_ARRAY_TASK_COUNT:-$((SLURM_ARRAY_TASK_MAX + 1))}
cd "${SLURM_SUBMIT_DIR:-$(dirname "$0")/..}"
# The cells' threads: the task's CPUs (what --threads 0, the default, takes from OpenMP).
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}
exec ./experiments/paper --cell "$SLURM_ARRAY_TASK_ID" --of "$shares" "$@"
