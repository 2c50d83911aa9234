"""The answer selector fit's own logistic regression: plain where no bound binds, and kept to its signs."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("fit_answerer", ROOT / "benchmarks" / "fit_answerer.py")
fit_answerer = importlib.util.module_from_spec(spec)
sys.modules["fit_answerer"] = fit_answerer  # its dataclasses look their module up
spec.loader.exec_module(fit_answerer)


def test_the_signed_fit_finds_the_signal_and_keeps_a_bounded_weight_to_its_sign():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(400, 3))
    y = (z @ [1.5, -2.0, 0.0] + rng.normal(size=400) > 0).astype(float)
    free, _ = fit_answerer.fit_signed_logistic(z, y, [0, 0, 0])
    bound, _ = fit_answerer.fit_signed_logistic(z, y, [0, 1, 0])  # the second may not go negative
    assert free[0] > 1.0 and free[1] < -1.0 and abs(free[2]) < 0.3
    assert bound[1] == 0.0 and bound[0] > 0.5
