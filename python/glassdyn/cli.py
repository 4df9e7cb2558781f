"""The ``glassdyn`` command: ``run``, ``submit``, ``status``, ``demo``, ``report``, ``compare`` and ``plugin build``."""
from __future__ import annotations

import argparse
import os
import signal
import sys
from importlib import resources
from pathlib import Path
from typing import Optional, Sequence

DEMO_CONFIG = "demo.toml"
#: The comparison demo's two campaigns (Cu64Zr36 and Cu50Zr50 with the Mendelev EAM), in table order.
COMPARE_CONFIGS = ("compare_cu64zr36.toml", "compare_cu50zr50.toml")
COMPARE_FOLDER = "glassdyn-compare"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glassdyn", description="Glass dynamics campaigns with LAMMPS and glassdyn.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run (or resume) a campaign described by a TOML file")
    run.add_argument("config", type=Path, help="campaign file (TOML)")
    _launch_options(run)
    run.add_argument("--only", default=None, metavar="PART",
                     help="run one part only, without harvesting: prep, or a temperature (T0.5); used by the "
                          "batch jobs of glassdyn submit")

    submit = commands.add_parser("submit", help="submit the unfinished parts of a campaign as Slurm jobs")
    submit.add_argument("config", type=Path, help="campaign file (TOML)")
    submit.add_argument("--folder", type=Path, default=None, help="campaign folder (default: <name> next to the file)")

    status = commands.add_parser("status", help="every Slurm job and stage of a campaign")
    status.add_argument("config", type=Path, help="campaign file (TOML)")
    status.add_argument("--folder", type=Path, default=None, help="campaign folder (default: <name> next to the file)")
    status.add_argument("--no-slurm", action="store_true", help="only the folder's records (no scontrol)")

    demo = commands.add_parser("demo", help="run the embedded Cu64Zr36 demo campaign and draw its report")
    demo.add_argument("--print-config", action="store_true", help="print the demo's campaign file(s) and stop")
    demo.add_argument("--compare", action="store_true",
                      help="the comparison demo instead: Cu64Zr36 and Cu50Zr50 campaigns, then glassdyn compare "
                           f"(--folder: the comparison folder, default ./{COMPARE_FOLDER})")
    _launch_options(demo)

    report = commands.add_parser("report", help="draw the reference study's figures of a finished campaign")
    report.add_argument("campaign", type=Path, help="campaign folder (or its results.h5)")
    report.add_argument("--out", type=Path, default=None, help="figure folder (default: CAMPAIGN/report)")
    report.add_argument("--period", type=float, default=None, help="DMS period to draw (default: the longest)")

    compare = commands.add_parser("compare", help="two or more finished campaigns side by side: figures and a table")
    compare.add_argument("campaigns", type=Path, nargs="+", metavar="CAMPAIGN",
                         help="campaign folders (or their results.h5), at least two")
    compare.add_argument("--out", type=Path, default=None,
                         help="output folder (default: comparison-<labels> next to the first campaign)")
    compare.add_argument("--labels", default=None, help="comma-separated labels, one per campaign (default: names)")
    compare.add_argument("--at", type=float, default=0.85, metavar="T_OVER_T_ALPHA",
                         help="reduced temperature of the p(u), string and cage comparisons (default 0.85)")
    compare.add_argument("--period", type=float, default=None,
                         help="DMS period of the single-period panels (default: the longest common one)")
    for sub in (run, submit, status, demo, report, compare):
        _debug_option(sub)
    from glassdyn.plugin_build import add_parser as add_plugin_parser

    add_plugin_parser(commands)
    return parser


def _debug_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")


def _launch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--folder", type=Path, default=None, help="campaign folder (default: <name> next to the file)")
    parser.add_argument("--np", type=int, default=None, help="MPI ranks (overrides launch.np)")
    parser.add_argument("--mode", choices=("subprocess", "inprocess"), default=None,
                        help="start LAMMPS as mpiexec subprocesses or inside this (MPI) process")
    parser.add_argument("--parallel-temperatures", type=int, default=None,
                        help="temperatures run side by side on sub-groups of the ranks")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--relaunched", action="store_true", help=argparse.SUPPRESS)


def _campaign(config_path: Path, args: argparse.Namespace):
    from glassdyn.campaign import Campaign

    campaign = Campaign.from_toml(config_path, folder=args.folder)
    changes = {key: value for key, value in (("np", args.np), ("mode", args.mode),
                                             ("parallel_temperatures", args.parallel_temperatures))
               if value is not None}
    if changes:
        campaign.config = campaign.config.with_launch(**changes)
    return campaign


def _run(campaign, args: argparse.Namespace) -> Path:
    only = getattr(args, "only", None)
    path = campaign.run(progress=not args.quiet, only=only)
    if only is not None:
        print(f"part {only} finished")
    elif _is_leader() and not args.relaunched:  # the process that relaunched us prints it
        print(f"results: {path}")
    return path


def _scheduler(args: argparse.Namespace) -> int:
    from glassdyn.campaign import Campaign
    from glassdyn.scheduler import status_lines, submit

    campaign = Campaign.from_toml(args.config, folder=args.folder)
    folder = Path(campaign.folder).resolve()
    if args.command == "submit":
        lines = submit(campaign.config, folder, Path(args.config).resolve())
    else:
        lines = [f"campaign {campaign.config.name}: {folder}",
                 *status_lines(campaign.config, folder, query=not args.no_slurm)]
    print("\n".join(lines))
    return 0


def _world():
    """MPI.COMM_WORLD when this process is one of several MPI ranks (in-process mode), else None."""
    if "mpi4py" not in sys.modules and not any(k in os.environ for k in ("PMI_RANK", "OMPI_COMM_WORLD_RANK",
                                                                          "PMIX_RANK")):
        return None
    from mpi4py import MPI

    return MPI.COMM_WORLD if MPI.COMM_WORLD.Get_size() > 1 else None


def _is_leader() -> bool:
    world = _world()
    return world is None or world.Get_rank() == 0


def _abort_on_uncaught_exception() -> None:
    """Under MPI, an exception on one rank must stop all ranks instead of leaving them waiting."""
    world = _world()
    if world is None:
        return
    previous = sys.excepthook

    def hook(kind, value, traceback):
        previous(kind, value, traceback)
        sys.stderr.flush()
        world.Abort(1)

    sys.excepthook = hook


def _report(folder: Path, out: Optional[Path], period: Optional[float]) -> list[Path]:
    from glassdyn.results.report import make_report
    from glassdyn.results.store import ResultsError, load

    results = load(folder)
    if period is not None and not any(abs(p - period) <= 1e-9 * abs(p) for p in results.periods):
        raise ResultsError(f"--period {period:g}: not in the results of {folder}; its periods are "
                           f"{', '.join(f'{p:g}' for p in results.periods)}")
    target = out or (folder if folder.is_dir() else folder.parent) / "report"
    return make_report(results, target, period=period)


def main(argv: Optional[Sequence[str]] = None) -> int:
    from glassdyn.run.errors import UserError

    args = _parser().parse_args(argv)
    _abort_on_uncaught_exception()
    # SIGTERM (a batch system's stop) ends the driver like Ctrl-C: its LAMMPS runs are stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        return _command(args)
    except (UserError, FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as error:
        # A mistake the user can fix: one line that names the file or field (status 2).
        return _error(args, _one_line(error), 2)
    except OSError as error:  # a full disk, a vanished mount: the system's own words, with the file
        return _error(args, _one_line(error), 2)
    except RuntimeError as error:  # a stage failed (LAMMPS's message), or the folder is in use
        return _error(args, str(error), 1)
    except KeyboardInterrupt:  # Ctrl-C: the LAMMPS runs were stopped; nothing finished is lost
        return _error(args, "interrupted; run the same command again to resume", 130)


def _command(args: argparse.Namespace) -> int:
    if args.command == "plugin":
        from glassdyn.plugin_build import main as plugin_main

        return plugin_main(args)
    if args.command in ("submit", "status"):
        return _scheduler(args)
    if args.command == "compare":
        return _compare(args)
    if args.command == "run":
        _run(_campaign(args.config, args), args)
    elif args.command == "demo" and args.compare:
        return _compare_demo(args)
    elif args.command == "demo":
        demo_text = resources.files("glassdyn.data").joinpath(DEMO_CONFIG).read_text(encoding="utf-8")
        if args.print_config:
            print(demo_text)
            return 0
        config_path = Path(args.folder or "glassdyn-demo").resolve().with_suffix(".toml")
        if _is_leader() and not config_path.exists():
            config_path.write_text(demo_text, encoding="utf-8")
        world = _world()
        if world is not None:
            world.Barrier()  # the file exists before the other ranks read it
        campaign = _campaign(config_path, args)
        path = _run(campaign, args)
        if _is_leader():
            written = _report(path.parent, None, None)
            print(f"report: {written[0].parent} ({len(written)} files)")
    else:
        written = _report(args.campaign, args.out, args.period)
        print(f"report: {len(written)} files in {written[0].parent if written else args.out}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from glassdyn.comparison import compare
    from glassdyn.run.errors import UserError

    labels = None if args.labels is None else [label.strip() for label in args.labels.split(",")]
    try:
        written = compare(args.campaigns, args.out, labels=labels, reduced_temperature=args.at, period=args.period)
    except ValueError as error:
        if isinstance(error, UserError):
            raise
        raise UserError(str(error)) from error   # argument mistakes (labels, --at): one line, status 2
    print(f"comparison: {len(written)} files in {written[0].parent}")
    return 0


def _compare_demo(args: argparse.Namespace) -> int:
    """Run (or resume) the two embedded campaigns in the comparison folder, then compare them there.

    The campaign files are written once as ``<folder>/<name>.toml`` and their campaigns run in
    ``<folder>/<name>/``; a rerun after an interruption resumes the unfinished one.
    """
    texts = {name: resources.files("glassdyn.data").joinpath(name).read_text(encoding="utf-8") for name in COMPARE_CONFIGS}
    if args.print_config:
        print("\n".join(f"{COMPARE_MARKER}{name}\n{text}" for name, text in texts.items()))
        return 0
    from glassdyn.comparison import compare

    folder = Path(args.folder or COMPARE_FOLDER).resolve()
    if _is_leader():
        folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in texts.items():
        path = folder / name.removeprefix("compare_")
        if _is_leader() and not path.exists():
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    world = _world()
    if world is not None:
        world.Barrier()  # the files exist before the other ranks read them
    campaigns = []
    for path in paths:
        campaign = _campaign(path, argparse.Namespace(**{**vars(args), "folder": None}))
        results = _run(campaign, args)
        campaigns.append(results.parent)
        if _is_leader():
            _report(results.parent, None, None)  # each campaign's own report and fits.json
    if _is_leader():
        written = compare(campaigns, folder)
        print(f"comparison: {folder} ({len(written)} files)")
    return 0


#: The line before each file in ``glassdyn demo --compare --print-config`` (a TOML comment).
COMPARE_MARKER = "# ==> glassdyn/data/"


def _one_line(error: BaseException) -> str:
    """An OSError as 'what: file' (its str() is '[Errno 13] Permission denied: ...')."""
    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror}{where}; check the path and its permissions, or free disk space"
    return " ".join(str(error).split("\n"))


def _error(args: argparse.Namespace, message: str, status: int) -> int:
    """Print the one-line message (on MPI rank 0 only: every rank has the same error)."""
    if getattr(args, "debug", False):
        import traceback

        traceback.print_exc()
    if _is_leader():
        hint = "" if getattr(args, "debug", False) else " (--debug shows the traceback)"
        print(f"glassdyn: error: {message}{hint if status == 2 else ''}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
