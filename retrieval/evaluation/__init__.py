"""Evaluation: question-set formats, metrics and the runner that scores retrieval and answers."""
