"""Finding passages: the offline encoder (`embeddings`, with `onnx_backend`), dense and BM25 search with date,
source and article filters (`searcher`), and the fusion of their rankings (`fusion`).

May import: ``core``, ``store``.
"""
