"""Where an article goes in: files are decoded (`decoding`) and parsed into articles (`documents`; saved feeds
through `retrieval.feeds.parse`), the plan decides what is new, changed, a copy or a reprint (`ingestor`:
`IngestPlan`, `Ingestor`), articles are split into passages (`chunking`), then embedded and written while the next
ones are read (`pipeline`); `reindex` rebuilds in place.

May import: ``core``, ``store``, ``search`` (the encoder), ``feeds`` (parsing saved feed files).
"""
