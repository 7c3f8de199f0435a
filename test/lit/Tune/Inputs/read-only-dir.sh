#!/usr/bin/env bash
# Usage: read-only-dir.sh KDSLC ROWS.csv
# Imports ROWS.csv into a tuning cache, makes its directory read-only, and
# runs every read command of `kdslc cache` on it as a user who cannot write
# there (nobody, when run as root, whom permissions do not stop).
set -euo pipefail
kdslc=$1 rows=$2
d=$(mktemp -d /tmp/kdsl-read-only.XXXXXX)
trap 'chmod -R u+w "$d"; rm -rf "$d"' EXIT
chmod 755 "$d"
cp "$kdslc" "$d/kdslc"
mkdir "$d/ro"
"$d/kdslc" cache import "$rows" --db "$d/ro/tune.db" >/dev/null
chmod 555 "$d/ro"
chmod 444 "$d/ro/tune.db"
as_reader=()
if [ "$(id -u)" = 0 ]; then
  as_reader=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
before=$(cksum < "$d/ro/tune.db")
for action in list "show vector_add" export "report vector_add"; do
  # shellcheck disable=SC2086
  "${as_reader[@]}" "$d/kdslc" cache $action --db "$d/ro/tune.db" >"$d/out" ||
    { echo "kdslc cache $action failed in a read-only directory"; exit 1; }
  echo "$action: $(wc -l <"$d/out") lines"
done
[ "$(cksum < "$d/ro/tune.db")" = "$before" ] || { echo "the cache changed"; exit 1; }
ls -A "$d/ro"
