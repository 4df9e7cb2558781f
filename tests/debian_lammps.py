"""Released LAMMPS sources from Debian source packages, fetched with a private apt configuration
(the machine's own apt sources and state are not touched). Used by the plugin-build tests and by
validation/site_lammps.py.

Debian suites and the LAMMPS release each one ships (checked 2026-11-30):
trixie 20250204+dfsg.1 (4 Feb 2025), sid 20260704+dfsg (4 Jul 2026).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Optional

MIRROR = "http://deb.debian.org/debian"
SUITES = {"20250204": "trixie", "20260704": "sid"}


def apt_unusable() -> Optional[str]:
    """Why apt cannot fetch source packages here (None: it can)."""
    if shutil.which("apt-get") is None:
        return "apt-get is not installed (not a Debian-like system)"
    if os.geteuid() != 0:
        return "not root: installing Debian packages needs root"
    return None


def _mirror() -> str:
    """The machine's configured Debian mirror (the deb822 or one-line sources), else deb.debian.org."""
    for path in [Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")]:
        if path.is_file():
            for line in path.read_text().splitlines():
                words = line.split()
                if words[:1] == ["URIs:"] and "security" not in line:
                    return words[1]
                if words[:1] == ["deb"] and "security" not in line:
                    return next(w for w in words[1:] if "://" in w)
    return MIRROR


def apt_options(state: Path) -> list[str]:
    state.mkdir(parents=True, exist_ok=True)
    for sub in ("lists/partial", "cache/archives/partial"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    sources = state / "sources.list"
    mirror = _mirror()
    sources.write_text("".join(f"deb-src {mirror} {suite} main\n" for suite in sorted(set(SUITES.values()))))
    return ["-o", f"Dir::Etc::SourceList={sources}", "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", f"Dir::State={state}", "-o", f"Dir::Cache={state / 'cache'}"]


def download_source(release: str, state: Path, into: Path) -> Path:
    """The upstream tarball (*.orig.tar.*) of the Debian lammps source package of RELEASE (YYYYMMDD)."""
    options = apt_options(state)
    into.mkdir(parents=True, exist_ok=True)
    existing = sorted(into.glob(f"lammps_{release}*.orig.tar.*"))
    if existing:
        return existing[0]
    subprocess.run(["apt-get", *options, "update"], check=True, capture_output=True, text=True, timeout=600)
    shown = subprocess.run(["apt-cache", *options, "showsrc", "lammps"], check=True, capture_output=True,
                           text=True).stdout
    versions = [line.split()[1] for line in shown.splitlines() if line.startswith("Version:")]
    version = next((v for v in versions if v.startswith(release)), None)
    if version is None:
        raise RuntimeError(f"no lammps source package {release} in {', '.join(versions)}")
    # The .dsc may be missing from the mirror; the upstream tarball is all that is needed.
    subprocess.run(["apt-get", *options, "source", "--download-only", f"lammps={version}"], cwd=into,
                   capture_output=True, text=True, timeout=1200)
    found = sorted(into.glob(f"lammps_{release}*.orig.tar.*"))
    if not found:
        raise RuntimeError(f"apt-get source lammps={version} fetched no upstream tarball")
    return found[0]


def extract(tarball: Path, tree: Path, headers_only: bool = False) -> Path:
    """Unpack into TREE (the tarballs differ: with or without a top folder). headers_only: src/**.h."""
    if (tree / "src" / "lammps.h").is_file():
        return tree
    tree.mkdir(parents=True, exist_ok=True)
    listing = subprocess.Popen(["tar", "tf", str(tarball)], stdout=subprocess.PIPE, text=True)
    first = listing.stdout.readline().strip()
    listing.kill()
    listing.wait()
    top = first.split("/")[0] + "/" if first.startswith("lammps") and "/" in first else ""
    args = ["tar", "xf", str(tarball), "-C", str(tree), f"--strip-components={1 if top else 0}"]
    if headers_only:
        args += ["--wildcards", f"{top}src/*.h"]
    subprocess.run(args, check=True, capture_output=True, text=True, timeout=1200)
    if not (tree / "src" / "lammps.h").is_file():
        raise RuntimeError(f"{tarball} holds no src/lammps.h")
    return tree
