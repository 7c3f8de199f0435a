#!/usr/bin/env bash
# Profiles the memory-bound kernels that fall short of 85% of copy bandwidth
# (softmax and layer norm at 4096 x 1024, layer norm at 4096 x 4096) with
# ncu (clocks as found) and dumps their SASS; run on the GPU machine after
# scripts/device/pack.sh:  bash build/device/profile.sh OUTDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: profile.sh OUTDIR}
mkdir -p "$out"
export PATH=$PATH:/usr/local/cuda/bin
tmp=/tmp/kdsl-profile
mkdir -p "$tmp"
python3 - "$tmp" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(1)
for cols in (1024, 4096):
    np.save(f"{d}/x{cols}.npy", rng.standard_normal((4096, cols)).astype(np.float32))
    np.save(f"{d}/o{cols}.npy", np.zeros((4096, cols), np.float32))
    np.save(f"{d}/w{cols}.npy", rng.standard_normal(cols).astype(np.float32))
PY
sections="--section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --section MemoryWorkloadAnalysis --section SchedulerStats"
run() { # name bundle kernel config args...
  local name=$1 bundle=$2 kernel=$3 config=$4; shift 4
  ncu --clock-control none $sections -k "regex:$kernel" \
    "$here/bin/kdsl-launch" "$here/bench/$bundle" --kernel "$kernel" --config "$config" "$@" \
    >"$out/ncu-$name.txt" 2>&1
  echo "== $name"
  grep -E "Memory Throughput|DRAM Throughput|Duration|Achieved Occupancy|Theoretical Occupancy|Registers Per Thread|Block Limit|Waves Per SM|Warp Cycles Per Issued|Stall|Eligible Warps" "$out/ncu-$name.txt" | head -24
}
run softmax-1024 softmax.kpack softmax BLOCK=1024,num_warps=4 \
  out=@$tmp/o1024.npy inp=@$tmp/x1024.npy n_rows=4096 n_cols=1024 stride=1024
run layer_norm-1024 layer_norm.kpack layer_norm BLOCK=1024,num_warps=4 \
  x=@$tmp/x1024.npy y=@$tmp/o1024.npy w=@$tmp/w1024.npy b=@$tmp/w1024.npy \
  n_rows=4096 n_cols=1024 stride=1024 eps=1e-5
run layer_norm-4096 layer_norm.kpack layer_norm BLOCK=4096,num_warps=4 \
  x=@$tmp/x4096.npy y=@$tmp/o4096.npy w=@$tmp/w4096.npy b=@$tmp/w4096.npy \
  n_rows=4096 n_cols=4096 stride=4096 eps=1e-5
# SASS of the softmax variant the run used (div16: aligned, stride and n_cols divisible by 16).
python3 - "$here/bench/softmax.kpack" "$tmp/softmax.cubin" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
row = db.execute("SELECT c.data FROM variants v JOIN binaries b ON b.variant = v.id "
                 "JOIN cubins c ON c.id = b.cubin_id "
                 "WHERE v.config = 'BLOCK=1024,num_warps=4,num_stages=2' "
                 "AND v.specialization LIKE '%n_cols:div16' AND b.arch = 'sm_90a'").fetchone()
open(sys.argv[2], "wb").write(row[0])
PY
cuobjdump -sass "$tmp/softmax.cubin" >"$out/softmax-1024.sass" 2>&1
echo "== softmax 1024 SASS: $(grep -cE 'LDG' "$out/softmax-1024.sass") LDG, $(grep -cE 'LDG.E.128' "$out/softmax-1024.sass") LDG.E.128, $(grep -cE 'BAR' "$out/softmax-1024.sass") BAR, $(grep -cE 'SHFL' "$out/softmax-1024.sass") SHFL, $(grep -cE 'STL|LDL' "$out/softmax-1024.sass") local"
tar -C "$out" -czf "$out/../profile.tar.gz" . 2>/dev/null || true
