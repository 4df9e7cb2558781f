"""An exclusive lock on a campaign folder: two drivers must not run the same campaign at once."""
from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO, Optional


class FolderLock:
    """``flock`` on ``<folder>/.lock``; refused at once (not waited for) when another driver holds it."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / ".lock"
        self.handle: Optional[IO[str]] = None

    def acquire(self) -> None:
        self.handle = open(self.path, "w")
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.handle.close()
            self.handle = None
            raise RuntimeError(f"{self.path.parent} is in use by another glassdyn driver; wait for it to finish "
                               "or stop it first") from None

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def __enter__(self) -> "FolderLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
