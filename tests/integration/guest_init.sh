#!/bin/sh
# /init of the kernel-matrix guest (tests/integration/kernel_vm.py packs it into
# the initramfs with busybox, agentmon, agentbus and their libraries). It runs
# `agentmon check`, then agentbus on each carrier while agentmon runs, and prints
# everything the host compares between "@@BEGIN <name>" / "@@END <name>" lines
# on the serial console. Nothing is judged here: the host holds the expectations.
# The carriers and the bus arguments come from the kernel command line
# (agentmon.carriers=unix,dgram,... agentmon.messages=N agentmon.ring_seconds=S).
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm /tmp /sys/fs/cgroup
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup
ip link set lo up

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^agentmon\.$1=//p"; }
carriers=$(arg carriers | tr ',' ' ')
messages=$(arg messages)
ring_seconds=$(arg ring_seconds)

section() { echo "@@BEGIN $1"; }
end() { echo "@@END $1"; }

section uname; uname -r; end uname

section check
agentmon check 2>&1
echo "exit code $?"
end check

# --allow-degraded: on a kernel where no kernel path attaches (5.10), agentmon
# must still serve, so the matrix records what each path lost; without it `run`
# exits 1 there, as it should on a production host.
agentmon run --listen 127.0.0.1:9465 --tick 200ms --allow-degraded >/tmp/agentmon.out 2>/tmp/agentmon.log &
agentmon_pid=$!
ready=no
for _ in $(seq 1 600); do
  if wget -q -O /dev/null http://127.0.0.1:9465/readyz 2>/dev/null; then ready=yes; break; fi
  kill -0 "$agentmon_pid" 2>/dev/null || break
  sleep 0.2
done
section ready; echo "$ready"; end ready

# Only the series the host compares, so the console stays short.
scrape() {
  section "metrics $1"
  wget -q -O - http://127.0.0.1:9465/metrics 2>/dev/null |
    grep -E '^(agent_transport_(messages|bytes)_total|agentmon_collector_cpu_seconds_total|agent_status|agent_cpu_seconds_total)'
  end "metrics $1"
}

if [ "$ready" = yes ]; then
  for carrier in $carriers; do
    sleep 1  # a few ticks, so the previous run's last frames are in the snapshot
    scrape "$carrier before"
    if [ "$carrier" = ring ]; then
      # Rings are found by a /proc scan per tick, so the run lasts several ticks.
      run="--duration $ring_seconds --rate 20000"
    else
      run="--messages $messages"
    fi
    mkdir -p "/tmp/bus-$carrier"
    # shellcheck disable=SC2086
    agentbus --carrier "$carrier" --agents 4 $run --run-dir "/tmp/bus-$carrier" \
      --truth "/tmp/truth-$carrier.json" >/dev/null 2>"/tmp/agentbus-$carrier.log"
    section "agentbus $carrier"; echo "exit code $?"; tail -n 20 "/tmp/agentbus-$carrier.log"
    end "agentbus $carrier"
    section "truth $carrier"; cat "/tmp/truth-$carrier.json" 2>/dev/null; echo; end "truth $carrier"
    sleep 1
    scrape "$carrier after"
  done
fi

kill "$agentmon_pid" 2>/dev/null
wait "$agentmon_pid" 2>/dev/null
section "agentmon log"; cat /tmp/agentmon.log /tmp/agentmon.out; end "agentmon log"
echo "@@DONE"
sync
poweroff -f
