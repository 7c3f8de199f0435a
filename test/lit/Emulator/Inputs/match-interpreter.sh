#!/usr/bin/env bash
# Usage: match-interpreter.sh DIR OUTS[:OPTIONS] FILE KERNEL [kdslc run ARGS...]
# Runs `kdslc run FILE --kernel KERNEL ARGS` on the reference interpreter and
# on the SIMT emulator (--backend emulate) with the same inputs, saves each
# pointer named in OUTS (comma-separated NAME or NAME/COMPARE-OPTIONS, where
# COMPARE-OPTIONS are kdsl-npy compare's, '+' for spaces) under DIR, and
# compares each pair. Prints both runs' log lines and each comparison's.
set -euo pipefail
dir=$1 outs=$2 file=$3 kernel=$4
shift 4
names=() options=() interp=() emulate=()
for out in ${outs//,/ }; do
  name=${out%%/*}
  names+=("$name")
  [[ $out == */* ]] && options+=("${out#*/}") || options+=("")
  interp+=(--save "$name=$dir/$name.interp.npy")
  emulate+=(--save "$name=$dir/$name.emulate.npy")
done
kdslc run "$file" --kernel "$kernel" --backend interp "$@" "${interp[@]}"
kdslc run "$file" --kernel "$kernel" --backend emulate "$@" "${emulate[@]}"
for i in "${!names[@]}"; do
  echo -n "${names[$i]}: "
  kdsl-npy compare "$dir/${names[$i]}.interp.npy" "$dir/${names[$i]}.emulate.npy" \
    ${options[$i]//+/ }
done
