"""Reprint detection on invented stories: reprints and trimmed copies match, other stories on the same topic do not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.core.errors import InputError
from retrieval.store.signatures import ReprintIndex, Signature, shingles, signature

ROOT = Path(__file__).resolve().parents[3]

BRIDGE = """Brackenfield council approves repairs to the old river bridge

Councillors in Brackenfield voted on Tuesday to spend 4.2 million pounds repairing the Harrow Lane bridge, which
has been closed to lorries since cracks were found in its eastern arch last winter.

Mayor Ilse Varga said the vote ended two years of argument about whether the Victorian bridge should be replaced
with a modern crossing. "People told us they want to keep the bridge their grandparents walked across," she said.

Engineers from the firm Calder and Moss will begin work in March. The bridge will be closed to all traffic for
eleven weeks while the arch is rebuilt with stone from the original quarry near Hollins Edge.

Shopkeepers on Harrow Lane have complained that the closure will cost them customers. The council has promised a
free shuttle bus between the two banks of the river while the work goes on.

Opposition councillor Tomas Brill voted against the plan, saying the money would be better spent on the town's
flood defences, which were overwhelmed twice in the past five years."""

REPRINT = """Historic Brackenfield bridge to be saved after council vote

By Dana Okoro, Regional Wire

Councillors in Brackenfield voted on Tuesday to spend 4.2 million pounds repairing the Harrow Lane bridge, which
has been closed to lorries since cracks were found in its eastern arch last winter.

Mayor Ilse Varga said the vote ended two years of argument about whether the Victorian bridge should be replaced
with a modern crossing. "People told us they want to keep the bridge their grandparents walked across," she said.

Engineers from Calder and Moss will begin work in March. The bridge will be closed to all traffic for eleven weeks
while the arch is rebuilt with stone from the original quarry near Hollins Edge.

Opposition councillor Tomas Brill voted against the plan, saying the money would be better spent on the town's
flood defences, which were overwhelmed twice in the past five years.

Reporting by Dana Okoro; editing by Sam Whitlow"""

SAME_TOPIC = """Brackenfield mayor faces questions over bridge contract

Mayor Ilse Varga was asked on Thursday to explain why the Harrow Lane bridge contract went to Calder and Moss
without a second round of bids, after a council meeting in Brackenfield ran late into the night.

Councillor Tomas Brill said residents deserved to see the tender documents. He told the meeting that two other
firms had offered to do the work for less and had not been invited to present their plans.

Ms Varga said the decision had followed the council's rules and that the chosen firm had repaired three
similar bridges in the county. She promised to publish a summary of the tender before the end of the month.

The row comes a week after councillors agreed to restore the Victorian crossing rather than replace it. Local
business owners said they cared less about the contract than about how long the road would stay closed."""


def trimmed(text: str, share: float = 0.6) -> str:
    tokens = text.split(" ")
    return " ".join(tokens[: int(len(tokens) * share)])


def test_a_reprint_with_a_new_headline_byline_and_footer_matches() -> None:
    index = ReprintIndex()
    index.add("bridge", BRIDGE)
    index.add("contract", SAME_TOPIC)
    match = index.match(REPRINT)
    assert match is not None
    assert match.doc_id == "bridge"
    assert index.threshold <= match.similarity < 1.0


def test_a_trimmed_copy_matches_the_full_article() -> None:
    index = ReprintIndex()
    index.add("bridge", BRIDGE)
    match = index.match(trimmed(BRIDGE))
    assert match is not None and match.doc_id == "bridge"


def test_another_story_on_the_same_topic_with_the_same_names_does_not_match() -> None:
    index = ReprintIndex()
    index.add("bridge", BRIDGE)
    assert index.match(SAME_TOPIC) is None
    assert signature(BRIDGE).jaccard(signature(SAME_TOPIC)) < 0.1


def test_exact_duplicates_match_with_similarity_one_regardless_of_case_and_punctuation() -> None:
    index = ReprintIndex(threshold=1.0)
    index.add("bridge", BRIDGE)
    shouted = BRIDGE.upper().replace(",", "").replace(".", " .")
    assert index.match(shouted) == ("bridge", 1.0)
    assert index.match(REPRINT) is None  # a near duplicate is not an exact one


def test_the_first_indexed_copy_wins_a_tie_and_exclude_skips_one_id() -> None:
    index = ReprintIndex()
    index.add("first", BRIDGE)
    index.add("second", BRIDGE)
    assert [m.doc_id for m in index.matches(BRIDGE)] == ["first", "second"]
    assert index.match(BRIDGE, exclude="first") == ("second", 1.0)


def test_remove_forgets_a_document() -> None:
    index = ReprintIndex()
    index.add("bridge", BRIDGE)
    index.add("contract", SAME_TOPIC)
    assert index.remove("bridge") is True
    assert len(index) == 1 and "bridge" not in index
    assert index.match(REPRINT) is None
    assert index.match(BRIDGE) is None
    assert index.remove("bridge") is False
    index.add("bridge", BRIDGE)  # and can come back
    assert index.match(REPRINT) is not None


def test_adding_an_id_again_replaces_its_text() -> None:
    index = ReprintIndex()
    index.add("doc", BRIDGE)
    index.add("doc", SAME_TOPIC)
    assert len(index) == 1
    assert index.match(REPRINT) is None
    assert index.match(SAME_TOPIC) == ("doc", 1.0)


def test_signature_round_trips_through_bytes_and_rebuilds_an_index() -> None:
    original = signature(BRIDGE)
    data = original.to_bytes()
    assert isinstance(data, bytes) and len(data) < 600
    restored = Signature.from_bytes(data)
    assert np.array_equal(restored.hashvalues, original.hashvalues)
    assert (restored.size, restored.digest, restored.shingle_size) == (original.size, original.digest, 3)
    index = ReprintIndex()
    index.add("bridge", signature=restored)
    match = index.match(REPRINT)
    assert match is not None and match.doc_id == "bridge"


def test_broken_or_mismatched_signatures_are_refused_with_one_line() -> None:
    data = signature(BRIDGE).to_bytes()
    for bad in (b"", data[:-4], b"XX" + data[2:]):
        with pytest.raises(InputError):
            Signature.from_bytes(bad)
    with pytest.raises(InputError, match="2-word shingles"):
        ReprintIndex().add("bridge", signature=signature(BRIDGE, shingle_size=2))
    with pytest.raises(InputError, match="256 permutations"):
        ReprintIndex().match(signature=signature(BRIDGE, num_perm=256))


def test_texts_without_words_and_ambiguous_calls_are_refused() -> None:
    index = ReprintIndex()
    with pytest.raises(InputError):
        index.add("empty", " ... !!! ")
    with pytest.raises(InputError):
        index.add("both", BRIDGE, signature=signature(BRIDGE))
    with pytest.raises(InputError):
        index.match()
    with pytest.raises(InputError):
        ReprintIndex(threshold=0)


def test_shingles_ignore_case_and_punctuation() -> None:
    assert shingles("The Bridge, re-opened!", n=2) == shingles("the bridge re opened", n=2) == {
        b"the bridge", b"bridge re", b"re opened"
    }
    assert shingles("Bridge", n=2) == {b"bridge"}
    assert len(shingles("one two three four", n=3)) == 2


def test_signatures_are_the_same_in_another_process() -> None:
    code = (
        "import sys; from retrieval.store.signatures import signature; "
        "sys.stdout.write(signature(sys.stdin.read()).to_bytes().hex())"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], input=BRIDGE, capture_output=True, text=True, cwd=ROOT, check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    ).stdout
    assert other == signature(BRIDGE).to_bytes().hex()
