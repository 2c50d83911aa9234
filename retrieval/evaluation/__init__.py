"""Evaluation: question-set formats, metrics and the runner that scores retrieval and answers.

May import: ``core``, ``search``, ``asking``, ``llm``.
"""
