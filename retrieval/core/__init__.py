"""The basics every part shares, and nothing else: typed values (`types`), the one settings object
(`settings`), errors, text helpers (`text`: sentence spans, search terms; `names`, `verbs`, `wording`), building an
`Article` (`articles`, `titles`), limits on outside input (`limits`), words addressed to an AI (`hygiene`), and the
user-facing texts by name (`prompts`).

May import: nothing of retrieval outside ``core``.
"""
