"""A real one-node Slurm cluster on 127.0.0.1 for tests (issue 17).

Debian's slurm-wlm (22.05) and munge, started in the foreground as children of the test process
with every file (munge key and socket, slurm.conf, state, spool, logs) in a temporary folder, on
free ports, and stopped at the end. Nothing of the machine's own configuration is used or changed:
clients find the cluster through SLURM_CONF (`cluster.env`), and slurm.conf names the private munge
socket. Needs root (slurmd runs jobs as their user) and no systemd or cgroups
(ProctrackType=proctrack/linuxproc, TaskPlugin=task/none).

    from slurm_cluster import slurm_cluster  # the fixture, in a test module
    def test_x(slurm_cluster):
        subprocess.run(["sbatch", "--wrap", "hostname"], env=slurm_cluster.env)
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

import pytest

PACKAGES = ["slurm-wlm", "munge"]
DAEMONS = ["slurmctld", "slurmd", "munged", "mungekey", "sbatch"]


def _missing() -> list:
    return [d for d in DAEMONS if shutil.which(d) is None and not Path("/usr/sbin", d).exists()]


def ensure_installed() -> Optional[str]:
    """Install slurm-wlm and munge with apt if needed; None when ready, else why not."""
    if not _missing():
        return None
    if shutil.which("apt-get") is None:
        return "slurm-wlm is not installed and apt-get is not available"
    if os.geteuid() != 0:
        return "slurm-wlm is not installed and installing it needs root"
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-q", "--no-install-recommends", *PACKAGES]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    result = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
    if result.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, text=True, timeout=900)
        result = subprocess.run(install, capture_output=True, text=True, env=env, timeout=900)
    if result.returncode != 0 or _missing():
        return f"apt-get install {' '.join(PACKAGES)} failed: {result.stderr.strip().splitlines()[-1:]}"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sbin(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin") / name)


class SlurmCluster:
    """munged + slurmctld + slurmd on 127.0.0.1; `env` is the environment for sbatch & co."""

    def __init__(self, root: Path, cpus: Optional[int] = None, memory_mb: int = 1000):
        self.root = Path(root)
        self.node = socket.gethostname().split(".")[0]
        self.cpus = cpus or os.cpu_count() or 1
        self.memory_mb = memory_mb
        self.processes: list = []
        self.conf = self.root / "slurm.conf"
        self.env = dict(os.environ, SLURM_CONF=str(self.conf))

    def start(self, timeout: float = 60) -> "SlurmCluster":
        munge = self.root / "munge"
        for sub in (munge, self.root / "state", self.root / "spool"):
            sub.mkdir(parents=True, exist_ok=True)
        munge.chmod(0o711)
        key = munge / "munge.key"
        subprocess.run([_sbin("mungekey"), "-c", "-k", str(key)], check=True, capture_output=True)
        key.chmod(0o400)
        self.socket = munge / "munge.socket"
        self._spawn("munged", [_sbin("munged"), "-F", "-f", f"--key-file={key}", f"--socket={self.socket}",
                               f"--pid-file={munge / 'munged.pid'}", f"--log-file={munge / 'munged.log'}",
                               f"--seed-file={munge / 'munged.seed'}"])
        self._wait(lambda: self.socket.exists(), timeout, "munged made no socket")
        r = self.root
        self.conf.write_text(f"""ClusterName=glassdyntest
SlurmctldHost={self.node}(127.0.0.1)
AuthType=auth/munge
AuthInfo=socket={self.socket}
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
StateSaveLocation={r / 'state'}
SlurmdSpoolDir={r / 'spool'}
SlurmctldPidFile={r / 'slurmctld.pid'}
SlurmdPidFile={r / 'slurmd.pid'}
SlurmctldLogFile={r / 'slurmctld.log'}
SlurmdLogFile={r / 'slurmd.log'}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
NodeName={self.node} NodeAddr=127.0.0.1 CPUs={self.cpus} RealMemory={self.memory_mb} State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
""")
        self._spawn("slurmctld", [_sbin("slurmctld"), "-D", "-f", str(self.conf)])
        self._spawn("slurmd", [_sbin("slurmd"), "-D", "-f", str(self.conf), "-N", self.node])
        self._wait(lambda: self.node_state() in ("idle", "mixed", "allocated"), timeout,
                   "the node did not come up idle")
        return self

    def _spawn(self, name: str, args: list) -> None:
        log = open(self.root / f"{name}.out", "w")
        self.processes.append((name, subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                                      stdin=subprocess.DEVNULL, env=self.env)))

    def _wait(self, ready, timeout: float, what: str) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for name, proc in self.processes:
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited ({proc.returncode}): {self.log(name)}")
            if ready():
                return
            time.sleep(0.5)
        raise RuntimeError(f"{what} within {timeout:.0f} s: {self.log('slurmctld')} {self.log('slurmd')}")

    def log(self, name: str) -> str:
        path = self.root / f"{name}.out"
        return " | ".join(path.read_text().splitlines()[-5:]) if path.exists() else ""

    def node_state(self) -> str:
        result = subprocess.run(["sinfo", "-h", "-N", "-o", "%T"], capture_output=True, text=True, env=self.env,
                                timeout=30)
        return result.stdout.strip().rstrip("*~#")

    def job_state(self, job: str) -> str:
        out = subprocess.run(["scontrol", "show", "job", job], capture_output=True, text=True, env=self.env,
                             timeout=30).stdout
        for word in out.split():
            if word.startswith("JobState="):
                return word.split("=", 1)[1]
        return "UNKNOWN"

    def wait_job(self, job: str, timeout: float = 120) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            state = self.job_state(job)
            if state in ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY"):
                return state
            time.sleep(0.5)
        return self.job_state(job)

    def stop(self) -> None:
        for name, proc in reversed(self.processes):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.processes.clear()


@pytest.fixture(scope="session")
def slurm_cluster():
    reason = ensure_installed()
    if reason:
        pytest.skip(f"no Slurm: {reason}")
    if os.geteuid() != 0:
        pytest.skip("no Slurm: slurmd must run as root to start jobs")
    # Unix socket paths must stay short (108 bytes): a short temporary folder.
    root = Path(tempfile.mkdtemp(prefix="slurm-"))
    cluster = SlurmCluster(root)
    try:
        cluster.start()
    except Exception:  # installed but not starting: a failure, not a skip
        cluster.stop()
        raise
    yield cluster
    cluster.stop()
    shutil.rmtree(root, ignore_errors=True)
