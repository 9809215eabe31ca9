"""No solver banner or progress bar reaches a rendered page (issue: quiet solvers).

HiGHS prints its banner once per process, so each check runs in a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys

DEA_RUN = """
import numpy as np
from helpers import dea
rng = np.random.default_rng(0)
x, y = rng.uniform(1, 2, (30, 2)), rng.uniform(1, 2, (30, 1))
print("scores", dea.efficiency(x, y).shape)
"""


def _output(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    return done.stdout + done.stderr


def test_plain_highspy_prints_its_banner():
    """The control: the banner this module guards against exists and is caught here."""
    assert "HiGHS" in _output("import highspy; highspy.Highs()")


def test_dea_prints_no_solver_banner():
    out = _output(DEA_RUN)
    assert "scores" in out
    assert "HiGHS" not in out and "Copyright" not in out, out


def test_dea_progress_bar_is_off_without_a_terminal():
    """tqdm's bar (after its delay) is drawn on a terminal only, never into captured output."""
    code = (
        """
from helpers.dea import technology
technology._PROGRESS_DELAY_S = 0.0
"""
        + DEA_RUN
    )
    out = _output(code)
    assert "scores" in out and "DEA" not in out, out
