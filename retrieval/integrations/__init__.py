"""Adapters from newsbot's core to other frameworks' interfaces (imported only by who uses them)."""
