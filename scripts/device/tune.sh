#!/usr/bin/env bash
# Tunes vector add, softmax and layer norm (one row, and several rows per
# instance for short rows) and matmul on this GPU with the
# runtime alone (kdsl-launch --tune on the bundles scripts/device/pack.sh
# compiled), into one tune.db. Run from the staged folder:
#   bash build/device/tune.sh OUTDIR
# run.sh calls it too. Writes OUTDIR/tune.db, a table and an HTML report per
# kernel, and the time each took; exits non-zero if a tuning fails.
# KDSL_TUNE_SMALL=1 shrinks every problem (to rehearse on the fake driver).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: tune.sh OUTDIR}
mkdir -p "$out"
db=$out/tune.db
status=0
tune() {
  local name=$1
  shift
  echo "== tuning $name"
  local start=$(date +%s%N)
  if "$here/bin/kdsl-launch" "$here/tune/$name.kpack" --kernel "$name" --tune \
      --db "$db" --report "$out/$name.html" --budget-ms 50 "$@" \
      | tee "$out/$name.txt"; then
    echo "$name: $(( ($(date +%s%N) - start) / 1000000 )) ms" \
      | tee -a "$out/seconds.txt"
  else
    echo "tune.sh: FAILED: $name"
    status=1
  fi
}
small=${KDSL_TUNE_SMALL:-0}
n=$((1 << 26)) rows=4096 m=1024
[ "$small" = 1 ] && n=$((1 << 16)) rows=4 m=64
tune vector_add x=f32:$n y=f32:$n out=f32:$n n=$n
tune softmax out=f32:$((rows * 4096)) inp=f32:$((rows * 4096)) n_rows=$rows \
  n_cols=4096 stride=4096
# Short rows: one row per instance against several (softmax_rows).
tune softmax_rows out=f32:$((rows * 1024)) inp=f32:$((rows * 1024)) \
  n_rows=$rows n_cols=1024 stride=1024
tune layer_norm_rows x=f32:$((rows * 1024)) y=f32:$((rows * 1024)) \
  w=f32:1024 b=f32:1024 n_rows=$rows n_cols=1024 stride=1024 eps=1e-5
tune layer_norm x=f32:$((rows * 4096)) y=f32:$((rows * 4096)) w=f32:4096 \
  b=f32:4096 n_rows=$rows n_cols=4096 stride=4096 eps=1e-5
tune matmul a=f16:$((m * m)) b=f16:$((m * m)) c=f32:$((m * m)) M=$m N=$m K=$m \
  sam=$m sak=1 sbk=$m sbn=1 scm=$m scn=1
exit "$status"
