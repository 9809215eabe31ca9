"""Write ``requirements.lock``: one set of exact pins valid on every supported Python.

Usage (``make lock`` runs it; needs the package registry):

    python tools/make_lock.py PYTHON [PYTHON ...] [--upgrade]

For each interpreter, pip resolves ``pyproject.toml`` (the package with its ``dev`` extra)
in a dry run and reports the exact versions it would install.  By default the current
lock is passed as constraints, so a pin changes only where ``pyproject.toml`` no longer
allows it or a new dependency appears; ``--upgrade`` resolves afresh.  Pins that agree on
every interpreter are written plainly; a package whose resolution differs (or that only
some versions need, such as papermill's ``aiohttp`` on Python 3.12) gets one line per
version with a ``python_version`` marker, so ``pip install -r requirements.lock`` installs
the right set on each.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
PIP = "pip==25.3"
HEADER = (
    "# Exact pins for Python {versions}, made by 'make lock' (tools/make_lock.py) from "
    "pyproject.toml.\n# Install: pip install -r requirements.lock (lines with a marker apply "
    "to one Python version).\n"
)
OWN_PACKAGE = "nqpf-replication"
TOOLS = ("pip", "setuptools", "wheel")  # the installer's own pins, kept as in a venv


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _current_pins() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            requirement = line.split(";")[0].strip()
            name, _, version = requirement.partition("==")
            pins.setdefault(_canonical(name), f"{name}=={version}")
    return pins


def resolve(python: str, constraints: Path | None) -> tuple[str, dict[str, tuple[str, str]]]:
    """``(major.minor, {canonical name: (name, version)})`` that pip picks on ``python``."""
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        vpy = str(venv / "bin" / "python")
        pip = [vpy, "-m", "pip", "--disable-pip-version-check", "--quiet"]
        subprocess.run([*pip, "install", PIP], check=True)
        report = Path(tmp) / "report.json"
        command = [*pip, "install", "--dry-run", "--ignore-installed", "--report", str(report)]
        command += ["-c", str(constraints)] if constraints else []
        subprocess.run([*command, f"{ROOT}[dev]", *TOOLS], check=True)
        version = subprocess.run(
            [vpy, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        installs = json.loads(report.read_text(encoding="utf-8"))["install"]
    pins = {}
    for item in installs:
        meta = item["metadata"]
        if _canonical(meta["name"]) != OWN_PACKAGE:
            pins[_canonical(meta["name"])] = (meta["name"], meta["version"])
    return version, pins


def merge(resolutions: dict[str, dict[str, tuple[str, str]]]) -> list[str]:
    """Lock lines: plain where every version agrees, ``; python_version == "X.Y"`` otherwise."""
    versions = sorted(resolutions, key=lambda v: tuple(map(int, v.split("."))))
    names = sorted({n for pins in resolutions.values() for n in pins})
    lines = []
    for name in names:
        picks = {v: resolutions[v].get(name) for v in versions}
        found = {pick for pick in picks.values() if pick is not None}
        if len(found) == 1 and all(picks.values()):
            display, version = found.pop()
            lines.append(f"{display}=={version}")
            continue
        for v, pick in picks.items():
            if pick is not None:
                lines.append(f'{pick[0]}=={pick[1]} ; python_version == "{v}"')
    return sorted(lines, key=str.upper)  # as `LC_ALL=C sort -f`


def main(argv: list[str]) -> int:
    upgrade = "--upgrade" in argv
    pythons = [a for a in argv if a != "--upgrade"]
    if not pythons:
        raise SystemExit(__doc__)
    constraints = None
    with tempfile.TemporaryDirectory() as tmp:
        if not upgrade and LOCK.exists():
            constraints = Path(tmp) / "constraints.txt"
            constraints.write_text("\n".join(_current_pins().values()) + "\n", encoding="utf-8")
        resolutions = dict(resolve(python, constraints) for python in pythons)
    header = HEADER.format(versions=", ".join(sorted(resolutions)))
    LOCK.write_text(header + "\n".join(merge(resolutions)) + "\n", encoding="utf-8")
    print(f"[lock] {LOCK.name}: Python {', '.join(sorted(resolutions))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
