"""`commwatch triage`: the model learns from a manager's labels, is measured, and re-reads the inbox.

train    Fine-tunes the model in use on this inbox's labels (set by hand with `label`), pulled
         towards the weights it starts from so it keeps what it knew; with a data folder in
         the shipped layout, trains again from that data plus the labels. A fifth of the
         labels (chosen by id, the same every time) is held back: the new model is adopted
         only if it reads them at least as well as the old one, and, with data, reads the
         validation sets no worse (by more than MAX_VALIDATION_LOSS). Adopted models live in
         the user data dir; `reset` goes back to the shipped one.
eval     The model in use and VADER on every labelled file of a folder.
rescore  Stored mentions read again by the model in use, in batches, each committed, so a
         stopped run continues where it stopped; labels set by hand are never touched.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from commwatch.app.errors import ActionError
from commwatch.config import Config
from commwatch.model import InboxFilter

MIN_LABELS = 10  # fewer than this teach nothing and cannot be held back for a fair check
LABEL_WEIGHT = 5.0  # a manager's label weighs as much as five tweets of the shipped data
MAX_VALIDATION_LOSS = 0.01  # macro-recall the validation sets may lose on average for the labels' sake
RESCORE_BATCH = 500

Progress = Callable[[str], None]


@dataclass
class TrainResult:
    adopted: bool
    why: str
    rows: list[tuple] = field(default_factory=list)  # (set name, before Figures, after Figures)
    path: Path | None = None
    labels: int = 0
    held_back: int = 0


class Learning:
    def __init__(self, conn: sqlite3.Connection, config: Config):
        self.conn = conn
        self.config = config

    # train / reset ----------------------------------------------------------------------------------

    def train(self, data: Path | None = None, progress: Progress | None = None) -> TrainResult:
        from commwatch.triage import learn, scorer
        from commwatch.triage.corpora import CorpusError, shared_corpora
        from commwatch.store.mentions import hand_labelled

        say = progress or (lambda _: None)
        labelled = self._labels(hand_labelled(self.conn))
        if len(labelled) < MIN_LABELS:
            raise ActionError(f"{len(labelled)} mentions are labelled by hand; label at least {MIN_LABELS} "
                              "first (`commwatch label ID negative`, or l in the TUI)")  # fmt: skip
        back = {mid for mid, _ in labelled if zlib.crc32(str(mid).encode()) % 5 == 0} or {labelled[-1][0]}
        held = [e for mid, e in labelled if mid in back]
        teach = [e for mid, e in labelled if mid not in back]
        for example in teach:
            example.weight = LABEL_WEIGHT
        before = scorer.current()
        validation: dict = {}
        if data is not None:
            try:
                corpus, validation = shared_corpora(data)
            except (OSError, CorpusError) as exc:
                raise ActionError(f"{data} is not a training data folder in the shipped layout ({exc})") from None
            say(f"training again on {len(corpus):,} texts of {data} and {len(teach)} labels")
            after = learn.fit(corpus + teach, progress=say)
        else:
            say(f"fine-tuning the model in use on {len(teach)} labels")
            after = learn.fit(teach, learn.Settings(epochs=30, rate=0.003, l2=1.0, batch=256), prior=before,
                              progress=say)  # fmt: skip
        after.header.update({k: before.header[k] for k in ("claimed", "trained_on") if k in before.header})
        rows = [("labels held back", learn.measure(before, held), learn.measure(after, held))]
        rows += [(name, learn.measure(before, examples), learn.measure(after, examples))
                 for name, examples in validation.items()]  # fmt: skip
        result = TrainResult(False, "", rows, labels=len(labelled), held_back=len(held))
        _, old, new = rows[0]
        if new.macro_recall < old.macro_recall:
            result.why = (f"kept the model in use: the new one reads the held-back labels worse "
                          f"(macro-recall {new.macro_recall:.3f} against {old.macro_recall:.3f})")
            return result
        if validation:
            loss = learn.mean(b.macro_recall - a.macro_recall for _, b, a in rows[1:])
            if loss > MAX_VALIDATION_LOSS:
                result.why = f"kept the model in use: the new one reads the validation sets {loss:.3f} worse on average"
                return result
        after.header["fine_tuned_on"] = {"labels": len(teach), "data": str(data) if data else None}
        path = scorer.user_model_path()
        after.save(path)
        scorer.current.cache_clear()
        result.adopted, result.path = True, path
        result.why = "adopted: `commwatch triage rescore` reads the stored mentions again with it"
        return result

    def _labels(self, rows: list[dict]) -> list[tuple[int, object]]:
        from commwatch.triage.corpora import CLASSES, Example

        return [(r["id"], Example(f"{r['title']}\n{r['text'] or ''}" if r["title"] else r["text"] or "",
                                  CLASSES.index(r["sentiment_label"]), r["lang"]))
                for r in rows if r["sentiment_label"] in CLASSES]  # fmt: skip

    @staticmethod
    def reset() -> bool:
        """Back to the shipped model; False when it was already in use."""
        from commwatch.triage import scorer

        path = scorer.user_model_path()
        if not path.exists():
            return False
        path.unlink()
        scorer.current.cache_clear()
        return True

    # eval --------------------------------------------------------------------------------------------

    @staticmethod
    def evaluate(folder: Path, progress: Progress | None = None) -> list[tuple]:
        """(set name, VADER's Figures, the model's Figures) for every labelled file in `folder`."""
        from commwatch.triage import learn, scorer
        from commwatch.triage.corpora import CorpusError, read_folder

        try:
            sets = read_folder(folder)
        except (OSError, CorpusError) as exc:
            raise ActionError(str(exc)) from None
        model = scorer.current()
        rows = []
        for name, examples in sets.items():
            (progress or (lambda _: None))(f"{name}: {len(examples):,} texts")
            rows.append((name, learn.measure_vader(examples), learn.measure(model, examples)))
        return rows

    # rescore -----------------------------------------------------------------------------------------

    def rescore(self, f: InboxFilter, progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
        """Read the matching mentions again with the model in use; (re-scored, changed label)."""
        from commwatch.app.score import retriaged
        from commwatch.store import mentions as store
        from commwatch.store.db import transaction
        from commwatch.store.inbox import matching_ids
        from commwatch.triage import scorer

        model = scorer.current().id
        ids = matching_ids(self.conn, f)
        done = changed = 0
        for start in range(0, len(ids), RESCORE_BATCH):
            batch = store.needing_score(self.conn, ids[start:start + RESCORE_BATCH], model)
            with transaction(self.conn):
                for m in batch:
                    sentiment, priority = retriaged(m, self.config.urgent_keywords)
                    store.set_triage(self.conn, m["id"], sentiment, priority)
                    changed += sentiment.label != m["sentiment"]["label"]
            done += len(batch)
            if progress:
                progress(min(start + RESCORE_BATCH, len(ids)), len(ids))
        return done, changed


def table(rows: list[tuple]) -> str:
    """The figures as a markdown table (triage.learn.table)."""
    from commwatch.triage.learn import table as markdown

    return markdown(rows)
