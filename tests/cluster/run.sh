#!/usr/bin/env bash
# The cluster test against a real Slurm: munged, slurmctld and slurmd on this machine (one node,
# "localhost"), configured in a temporary folder — no system file or service is touched — then
# `tests/cluster/slurm.test.ts`, then the daemons are stopped and the folder removed, pass or fail.
#
# Needs Debian's slurm-wlm and munge, root (slurmd starts jobs as their user) and the built CLI
# (`npm run build`). `npm test` runs it last (`npm run test:cluster`). Ports: SLURM_TEST_PORT and the next one.
set -euo pipefail
cd "$(dirname "$0")/../.."

for program in munged slurmctld slurmd sbatch squeue scontrol; do
  command -v "$program" >/dev/null || { echo "tests/cluster: $program not found: apt-get install slurm-wlm munge" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "tests/cluster: run as root (slurmd launches the jobs as their owner)" >&2; exit 1; }
[ -f out/main/cli.js ] || npx electron-vite build

port=${SLURM_TEST_PORT:-46817}
state=$(mktemp -d /tmp/me-studio-slurm.XXXXXX)
chmod 711 "$state" # munge's socket must be reachable by the jobs
export SLURM_CONF=$state/slurm.conf

stop() {
  local code=$? daemon pid
  # Our cluster runs only this test's jobs: cancel them, so no job step outlives its slurmd.
  if [ -f "$state/slurmctld.pid" ]; then
    scancel --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 20); do [ -z "$(squeue -h 2>/dev/null)" ] && break; sleep 0.5; done
  fi
  for daemon in slurmd slurmctld munged; do
    [ -f "$state/$daemon.pid" ] || continue
    pid=$(cat "$state/$daemon.pid")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  done
  if [ "$code" -ne 0 ]; then
    for log in "$state"/*.log; do echo "--- $log"; tail -n 30 "$log"; done >&2
  fi
  rm -rf "$state"
  exit "$code"
}
trap stop EXIT

dd if=/dev/urandom of="$state/munge.key" bs=1024 count=1 status=none
chmod 600 "$state/munge.key"
munged --force --key-file="$state/munge.key" --socket="$state/munge.socket" --pid-file="$state/munged.pid" \
  --log-file="$state/munged.log" --seed-file="$state/munged.seed"

mkdir -p "$state/ctld" "$state/spool"
# CPUs=4 (config_overrides: whatever the machine has) so the four tasks of the test run at once.
cat > "$SLURM_CONF" <<EOF
ClusterName=mestudio-test
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$state/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
SlurmdParameters=config_overrides
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF" -N localhost
for _ in $(seq 60); do
  [ "$(sinfo -h -n localhost -o %t 2>/dev/null)" = idle ] && break
  sleep 0.5
done
[ "$(sinfo -h -n localhost -o %t)" = idle ] || { echo "tests/cluster: the node did not come up" >&2; sinfo >&2; exit 1; }
echo "tests/cluster: Slurm $(sinfo -V | cut -d' ' -f2) up on localhost (SLURM_CONF=$SLURM_CONF)"

npx vitest run --config tests/cluster/vitest.config.ts
