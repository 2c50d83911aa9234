"""Choosing what to say: the question's profile, candidate sentences and their features, the fitted selector
(`model`, weights in ``selector.json``), the short span, and the extractive answerer that puts them together.

May import: ``core``.
"""
