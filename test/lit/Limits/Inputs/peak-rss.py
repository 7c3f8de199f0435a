"""Runs a command and prints whether its peak resident memory stayed under a
bound: `peak-rss: under N MB` or `peak-rss: X MB, over N MB`.

Usage: peak-rss.py [--mb N] COMMAND... (N defaults to 400; the command's exit
status is this script's.)"""
import resource
import subprocess
import sys

args = sys.argv[1:]
bound = 400
if args[:1] == ["--mb"]:
    bound, args = int(args[1]), args[2:]
status = subprocess.run(args).returncode
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print(f"peak-rss: under {bound} MB" if peak < bound
      else f"peak-rss: {peak} MB, over {bound} MB")
sys.exit(status)
