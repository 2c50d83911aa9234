"""Follow-up accuracy: how many follow-up questions of the dialogue set retrieve the right passage with the
conversation layer's rewriting, and how many without it (each follow-up asked on its own).

Usage: python benchmarks/followups.py [--distractors N]
Indexes the seed article and N BBC articles from ../shared/corpora/bbc (default 300; read at run time, never
copied) into a temporary data directory, so that a follow-up asked on its own can find the wrong article.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.conversation import Conversation  # noqa: E402
from retrieval.newsbot import Newsbot  # noqa: E402
from retrieval.settings import Settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--distractors", type=int, default=300)
    args = parser.parse_args()
    bbc = ROOT.parent / "shared" / "corpora" / "bbc"
    distractors = sorted(bbc.glob("*/*.txt"))[:: max(1, 2225 // max(1, args.distractors))][: args.distractors]
    dialogues = json.loads((ROOT / "tests" / "retrieval" / "dialogues.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        bot = Newsbot(Settings(_env_file=None, data_dir=Path(tmp)))
        bot.ingest([ROOT / "seeds", *distractors])
        print(f"indexed the seed article and {len(distractors)} distractor articles")
        with_rewrite = without = total = 0
        for dialogue in dialogues:
            conversation = Conversation()
            for i, turn in enumerate(dialogue["turns"]):
                answer = bot.ask(turn["q"], conversation=conversation)
                if i == 0 or not turn["rewrite"] or turn["expect"] is None:
                    continue
                total += 1
                ok = answer.found and turn["expect"] in " ".join(c.quote for c in answer.citations)
                alone = bot.ask(turn["q"])
                ok_alone = alone.found and turn["expect"] in " ".join(c.quote for c in alone.citations)
                with_rewrite += ok
                without += ok_alone
                print(f"{'ok ' if ok else 'BAD'} / {'ok ' if ok_alone else 'BAD'}  {turn['q']}  ->  "
                      f"{answer.searched or turn['q']}")
    print(f"follow-ups retrieving the right passage: with rewriting {with_rewrite}/{total}, "
          f"without {without}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
