"""Reports that differ: a conflict between outlets of one day, an update when the story moved on, never a head
count against a cost."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.answering.conflicts import Report, find_conflict, find_update, measure, update_text
from retrieval.answering.question import profile
from retrieval.core.types import Chunk, Hit


@dataclass
class View:
    text: str


@dataclass
class Cand:
    hit: Hit
    view: View
    logit: float = 0.0


def cand(text: str, day: str, outlet: str, doc: str, logit: float = 0.0) -> Cand:
    chunk = Chunk(f"{doc}-0", doc, 0, text, 0, len(text), "t", f"{doc}.txt", date=day, publisher=outlet)
    return Cand(Hit(chunk, 1.0), View(text), logit)


FIRE_4 = cand("A wildfire has burned 9,100 acres, fire officials said on Saturday.", "2026-07-04", "Valley Herald", "a")
FIRE_5 = cand("The fire has now burned 9,300 acres, officials said on Sunday.", "2026-07-05", "Coastal Daily", "b")


def test_a_figure_that_grew_from_one_day_to_the_next_is_an_update_not_a_dispute():
    asked = profile("How many acres has the Pinecrest fire burned?")
    cands = [FIRE_5, FIRE_4]
    assert find_conflict(asked, cands, 4.0, 1.0) == []
    moved = find_update(asked, cands, 4.0)
    assert [r.value for r in moved] == ["9,300", "9,100"]
    assert update_text(moved, asked.kind) == "9,300 [1], up from 9,100 [2] in an earlier report"


def test_two_outlets_giving_different_figures_on_the_same_day_are_a_conflict():
    asked = profile("How many workers are on strike?")
    cands = [cand("Some 2,400 workers are on strike, the union said.", "2025-02-03", "Ledger", "a"),
             cand("About 3,100 workers walked out on Monday.", "2025-02-03", "Meridian", "b")]
    assert [r.value for r in find_conflict(asked, cands, 4.0, 1.0)] == ["2,400", "3,100"]
    assert find_update(asked, cands, 4.0) == []  # one day: not a story that moved on


def test_a_head_count_is_never_set_against_a_cost():
    asked = profile("How many firefighters are fighting the fire?")
    cands = [cand("More than 650 firefighters are battling the blaze.", "2026-07-04", "Valley Herald", "a"),
             cand("The state has spent 4 million dollars fighting the fire.", "2026-07-05", "Coastal Daily", "b")]
    values = {"a": "650", "b": "4"}

    def value_of(c):
        return values[c.hit.chunk.doc_id]

    assert find_conflict(asked, cands, 4.0, 1.0, value_of=value_of) == []
    assert find_update(asked, cands, 4.0, value_of=value_of) == []
    assert measure("4", "The state has spent 4 million dollars fighting the fire.") == "money"
    assert measure("650", "More than 650 firefighters are battling the blaze.") == "plain"


def test_three_reports_of_a_rising_toll_are_named_newest_first():
    reports = [Report("38", "c", "Courier", "2026-03-05", None), Report("23", "b", "Courier", "2026-03-03", None),
               Report("9", "a", "Courier", "2026-03-02", None)]
    assert update_text(reports, "how_many") == "38 [1], up from 23 [2] and 9 [3] in earlier reports"


def test_a_moved_date_says_what_the_earlier_report_said():
    reports = [Report("13 April", "b", "Times", "2026-03-01", None), Report("23 March", "a", "Times", "2026-02-10", None)]
    assert update_text(reports, "when") == "13 April [1]; an earlier report said 23 March [2]"


def test_reports_that_only_a_candidate_outside_the_gap_contradicts_agree():
    asked = profile("How many acres has the Pinecrest fire burned?")
    far = cand("The fire has now burned 9,300 acres, officials said on Sunday.", "2026-07-05", "Coastal Daily", "b",
               logit=-10.0)
    assert find_update(asked, [FIRE_4, far], 4.0) == []
