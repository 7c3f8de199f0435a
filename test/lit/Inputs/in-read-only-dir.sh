#!/usr/bin/env bash
# Usage: in-read-only-dir.sh FILE PROGRAM ARGS...
# Copies FILE into a read-only directory and runs PROGRAM ARGS there as a
# user who cannot write to it (nobody, when run as root, whom permissions do
# not stop), with @FILE in ARGS standing for the copy. PROGRAM and the
# runtime library it links are copied too, so nobody can run them whatever
# the permissions of the build directory. Prints what PROGRAM printed and
# exits with its status; fails if the directory changed.
set -uo pipefail
file=$1 program=$2
shift 2
d=$(mktemp -d /tmp/kdsl-read-only.XXXXXX)
trap 'chmod -R u+w "$d"; rm -rf "$d"' EXIT
chmod 755 "$d"
mkdir "$d/bin" "$d/ro"
cp "$program" "$d/bin/"
ldd "$program" | awk '/libkdslrt/ {print $3}' | xargs -r -I{} cp {} "$d/bin/"
cp "$file" "$d/ro/"
copy="$d/ro/$(basename "$file")"
chmod 444 "$copy"
chmod 555 "$d/ro"
args=()
for a in "$@"; do args+=("${a//@FILE/$copy}"); done
as_reader=()
if [ "$(id -u)" = 0 ]; then
  as_reader=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
before=$(ls -A "$d/ro"; cksum <"$copy")
LD_LIBRARY_PATH="$d/bin" "${as_reader[@]}" "$d/bin/$(basename "$program")" \
  "${args[@]}" 2>&1 | sed "s|$d/ro/|READONLY/|g"
status=${PIPESTATUS[0]}
after=$(ls -A "$d/ro"; cksum <"$copy")
[ "$before" = "$after" ] || { echo "in-read-only-dir.sh: the directory changed"; exit 1; }
exit "$status"
