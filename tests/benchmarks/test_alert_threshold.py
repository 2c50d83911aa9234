"""The alert threshold script's fitting helpers on hand-built data, and the shipped model's provenance."""

from __future__ import annotations

import importlib.util
import json
import sys

import numpy as np

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("alert_threshold", ROOT / "benchmarks" / "alert_threshold.py")
alert_threshold = importlib.util.module_from_spec(spec)
sys.modules["alert_threshold"] = alert_threshold  # its dataclasses look their module up
spec.loader.exec_module(alert_threshold)


def test_the_threshold_is_the_one_with_the_best_f1_and_falls_between_two_scores():
    y = np.array([1, 1, 0, 1, 0, 0], dtype=float)
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.2, 0.1])
    f1, threshold = alert_threshold.best_threshold(y, p)
    assert f1 == 2 * 3 / (4 + 3)  # cut after 0.6: 3 true and 1 false alert, nothing missed
    assert 0.2 < threshold < 0.6


def test_the_logistic_fit_finds_the_signal_and_ignores_noise():
    rng = np.random.default_rng(0)
    signal, noise = rng.normal(size=400), rng.normal(size=400)
    y = (signal + 0.3 * rng.normal(size=400) > 0).astype(float)
    model = alert_threshold.fit_logistic(np.c_[signal, noise], y, l2=1.0)
    assert model.weights[0] > 2 and abs(model.weights[1]) < 0.5
    assert alert_threshold.roc_auc(y, model.probabilities(np.c_[signal, noise])) > 0.95


def test_the_shipped_model_was_chosen_on_dev_for_this_labelled_set():
    import hashlib

    shipped = json.loads((ROOT / "retrieval" / "news" / "alerts.json").read_text())
    topics = ROOT / "benchmarks" / "alerts" / "topics.jsonl"
    assert shipped["info"]["topics_sha256"] == hashlib.sha256(topics.read_bytes()).hexdigest()[:16], (
        "topics.jsonl changed: re-fit with benchmarks/alert_threshold.py --fit"
    )
    assert "dev" in shipped["info"]["fitted_on"] and 0 < shipped["threshold"] < 1
