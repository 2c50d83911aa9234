"""The fitted answer selector: weights in a JSON file inside the package, applied with numpy alone.

Two small linear models, both fitted by ``benchmarks/fit_answerer.py`` on the train split and chosen on dev:

- the *sentence* model scores each candidate sentence; over the candidates of one question the scores are a
  softmax (fitted listwise: the share of "this sentence holds the answer" among them);
- the *answer* model turns the best candidates' probabilities (and what the question names that no article
  mentions) into the calibrated probability that the best sentence answers the question. Below the decline
  threshold (a setting, default from the file) the bot says the articles do not answer.

No pickle: the file holds feature names, standardisation and weights; a file fitted on other features is
refused with a message saying how to re-fit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from retrieval.answering.features import FEATURES
from retrieval.core.errors import NewsbotError

WEIGHTS_FILE = "selector.json"
ANSWER_FEATURES = (
    "best_logit",
    "second_logit",
    "gap",
    "best_share",
    "unknown_names",
    "chunk_similarity",
    "coverage",
    "names_covered",
    "year_conflict",
    "measure_asked",
    "measure_fit",
    "article_terms",
    "article_names",
    "article_year_missing",
    "reader",  # the sentence reader's logit for the best candidate
    "reader_span",  # ... its span against "no answer here"
    "reader_top",  # the reader's best logit among all the candidates
)
# The direction each answer feature may push the probability (+1 up, -1 down, 0 either way). The fit keeps every
# weight to its sign, so that a value outside the training range (a tiny collection with a handful of candidates,
# an off-topic question) moves the answer the way a reader would expect instead of extrapolating a correction
# between correlated features (a very low best logit once *raised* the probability of an off-topic answer).
ANSWER_SIGNS = {
    "best_logit": 1,
    "second_logit": 0,
    "gap": 1,
    "best_share": 1,
    "unknown_names": -1,
    "chunk_similarity": 1,
    "coverage": 1,
    "names_covered": 1,
    "year_conflict": -1,
    "measure_asked": 0,
    "measure_fit": 1,
    "article_terms": 1,
    "article_names": 1,
    "article_year_missing": -1,
    "reader": 1,
    "reader_span": 1,
    "reader_top": 0,
}


@dataclass(frozen=True)
class Logistic:
    """``sigmoid(((x - mean) / scale) . weights + bias)``."""

    names: tuple[str, ...]
    mean: Any
    scale: Any
    weights: Any
    bias: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Logistic:
        import numpy as np

        return cls(
            tuple(data["features"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["weights"], dtype=np.float64),
            float(data["bias"]),
        )

    def logits(self, rows: Any) -> Any:
        import numpy as np

        x = (np.asarray(rows, dtype=np.float64) - self.mean) / self.scale
        return x @ self.weights + self.bias

    def probabilities(self, rows: Any) -> Any:
        import numpy as np

        return 1.0 / (1.0 + np.exp(-self.logits(rows)))


@dataclass(frozen=True)
class Selector:
    """The sentence model, the answer model and the thresholds chosen on dev."""

    sentence: Logistic
    answer: Logistic
    threshold: float  # decline below this answer probability
    short_threshold: float  # give the short span only above this
    info: dict[str, Any]
    second_share: float = 0.8  # quote a second sentence when its share is at least this much of the best's
    # the reader's span is the short answer when it beats "no answer here" by this much (None: the rules of
    # `retrieval.answering.spans` alone)
    short_margin: float | None = None
    short_kinds: tuple[str, ...] = ("who", "when", "where", "how_many", "which", "list")  # kinds it answers so

    @classmethod
    def load(cls, path: Path | None = None) -> Selector:
        """The selector in ``path`` (default: the one shipped in the package)."""
        try:
            if path is None:
                text = resources.files("retrieval.answering").joinpath(WEIGHTS_FILE).read_text(encoding="utf-8")
            else:
                text = Path(path).read_text(encoding="utf-8")
            data = json.loads(text)
            selector = cls(
                Logistic.from_dict(data["sentence"]),
                Logistic.from_dict(data["answer"]),
                float(data["threshold"]),
                float(data.get("short_threshold", data["threshold"])),
                dict(data.get("info", {})),
                float(data.get("second_share", 0.8)),
                None if data.get("short_margin") is None else float(data["short_margin"]),
                tuple(data.get("short_kinds", cls.short_kinds)),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NewsbotError(
                f"cannot read the answer selector's weights ({exc}); re-fit them with benchmarks/fit_answerer.py"
            ) from None
        if selector.sentence.names != FEATURES or selector.answer.names != ANSWER_FEATURES:
            raise NewsbotError(
                "the answer selector's weights were fitted on other features; re-fit them with "
                "benchmarks/fit_answerer.py"
            )
        return selector

    @staticmethod
    def answer_features(
        logits: list[float], best: list[float], article: Sequence[float], reader_top: float = 0.0
    ) -> list[float]:
        """The answer model's inputs: the candidates' logits (best first), the best one's features, how much
        of the question the best one's article holds (`retrieval.answering.features.article_support`), and the
        reader's best logit among all the candidates."""
        from retrieval.answering.features import INDEX

        top = logits[0] if logits else -10.0
        second = logits[1] if len(logits) > 1 else top - 10.0
        share = 1.0 / sum(math.exp(max(-50.0, x - top)) for x in logits) if logits else 0.0
        return [
            top,
            second,
            top - second,
            share,
            best[INDEX["unknown_names"]],
            best[INDEX["chunk_similarity"]],
            best[INDEX["coverage"]],
            best[INDEX["names_covered"]],
            best[INDEX["year_conflict"]],
            best[INDEX["measure_asked"]],
            best[INDEX["measure_fit"]],
            *article,
            best[INDEX["reader"]],
            best[INDEX["reader_span"]],
            reader_top,
        ]

    def answer_probability(self, row: list[float]) -> float:
        return float(self.answer.probabilities([row])[0])


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0
