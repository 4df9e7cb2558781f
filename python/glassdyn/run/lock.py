"""Locks on a campaign folder: drivers and batch jobs must not run the same stages at once.

* ``.lock``: a whole-campaign driver (``glassdyn run``) holds it exclusively; a batch job that
  runs one part (``glassdyn run --only prep`` or ``--only T0.5``) holds it shared, so the jobs of
  several temperatures run side by side while no whole-campaign driver can start among them.
* ``.lock-<part>``: exclusive per part, so two jobs of the same temperature never overlap.
* ``.setup.lock``: held (waited for) only while the folder's records are checked or written and
  the LAMMPS preflight runs, so that concurrent jobs do not write the same file at once.

Every lock is refused at once (not waited for) except the short setup lock.
"""
from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO, Optional


class FolderLock:
    """``flock`` on ``<folder>/<name>``: exclusive, or shared with ``shared=True``."""

    def __init__(self, folder: Path, *, shared: bool = False, name: str = ".lock", wait: bool = False,
                 what: str = "") -> None:
        self.path = folder / name
        self.shared = shared
        self.wait = wait
        self.what = what
        self.handle: Optional[IO[str]] = None

    def acquire(self) -> None:
        self.handle = open(self.path, "a")
        mode = (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | (0 if self.wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(self.handle, mode)
        except BlockingIOError:
            self.handle.close()
            self.handle = None
            what = self.what or f"{self.path.parent} is in use by another glassdyn driver"
            raise RuntimeError(f"{what}; wait for it to finish or stop it first") from None

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def __enter__(self) -> "FolderLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def part_lock(folder: Path, part: str) -> FolderLock:
    """The exclusive lock of one part (``prep``, ``T0.5``) of a campaign run by a batch job."""
    return FolderLock(folder, name=f".lock-{part}",
                      what=f"{part} of {folder} is being run by another glassdyn job (a second job of it?)")


def setup_lock(folder: Path) -> FolderLock:
    return FolderLock(folder, name=".setup.lock", wait=True)
