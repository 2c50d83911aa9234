"""Adapters from newsbot's core to other frameworks' interfaces (imported only by who uses them).

May import: ``core``, ``search``, and `retrieval.newsbot` (the adapters wrap it).
"""
