#!/usr/bin/env bash
# What two cores of this machine allow, with no scheduler in the way: each network's batch-8 time on one thread,
# against two independent processes running half the batch (4 images) on one thread each, at the same time.
# 8-image time / the slower half's time is the speed-up a perfect two-way batch split could reach; it includes what
# the machine loses with both cores busy (shared caches, memory) and what 4 images an instance lose against 8
# (weights read once per 4 images). Compare it with `SpeedProbe -b 8 -t 2 -vs t1`.
# Usage: bash perf/two-halves.sh [network ...]   (build perf/SpeedProbe in Release first)
set -euo pipefail
cd "$(dirname "$0")/.."
probe="dotnet perf/SpeedProbe/bin/Release/net10.0/SpeedProbe.dll"
median() { $probe "$1" -b "$2" -t 1 -r 5 -noort 2>&1 | awk -v n="$1" '$1 == n { print $4 }'; }
nets=("$@")
[ ${#nets[@]} -gt 0 ] || nets=(resnet18 resnet50 googlenet densenet121 squeezenet1_0 squeezenet1_1 vgg11 vgg16 alexnet)
printf '%-14s %12s %14s %22s %9s\n' network "1T b8 ms" "1T b4 alone" "two b4 at once" ceiling
for net in "${nets[@]}"; do
  whole=$(median "$net" 8)
  half=$(median "$net" 4)
  other=$(mktemp)
  median "$net" 4 > "$other" &
  first=$(median "$net" 4)
  wait
  second=$(cat "$other"); rm -f "$other"
  ceiling=$(python3 -c "print(f'{$whole / max($first, $second):.3f}')")
  printf '%-14s %12s %14s %22s %9s\n' "$net" "$whole" "$half" "$first / $second" "$ceiling"
done
