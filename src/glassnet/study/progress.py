"""What the learner knows: FSRS cards in SQLite.

One row per study item: the eight question cards (answered in free text, self-graded) and the
exercise types (answered and checked by the program, content regenerated every time). FSRS decides
when each comes back: a good answer sends it away for longer, a miss brings it back soon, and
nothing is asked again before it is due.

The file is opened in WAL mode with a busy timeout, so the terminal and the web lab can study from
the same file at the same time; every answer is one transaction, so a crash mid-answer loses at
most that answer. A file that is not a readable glassnet study database is reported, never replaced.
Opened read-only (`stats`, `mastery`), a missing file is the empty state and is not created.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from fsrs import Card, Rating, Scheduler

from ..errors import ConfigError, GlassnetError
from .deck import QuestionCard, load_deck

SCHEMA_VERSION = 1
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}


class StudyDatabaseError(GlassnetError):
    """The study progress file cannot be read or written."""


def default_db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("glassnet")) / "study.sqlite3"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(now: datetime | None) -> datetime:
    if now is None:
        return utcnow()
    if now.tzinfo is None:
        raise ValueError("now= must be timezone-aware (UTC)")
    return now.astimezone(timezone.utc)


@dataclass(frozen=True)
class Item:
    """One schedulable thing: a question card, or an exercise type."""
    id: str  # "q1-features" or "exercise:overshoot"
    kind: str  # "question" or "exercise"
    question: int
    order: int  # deck order, for new items

    @property
    def exercise_type(self) -> str | None:
        return self.id.split(":", 1)[1] if self.kind == "exercise" else None


def study_items(deck: tuple[QuestionCard, ...] | None = None) -> list[Item]:
    """Question 1's card, then its exercises, then question 2's card...: the order new items are met."""
    items = []
    for card in deck or load_deck():
        items.append(Item(card.id, "question", card.question, len(items)))
        for ex in card.exercises:
            items.append(Item(f"exercise:{ex}", "exercise", card.question, len(items)))
    return items


SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cards (
    item_id TEXT PRIMARY KEY,
    fsrs TEXT NOT NULL,          -- fsrs.Card.to_json()
    due TEXT NOT NULL,           -- ISO UTC, copied out of the card for ordering
    streak INTEGER NOT NULL DEFAULT 0,   -- answers in a row rated Hard or better
    reviews INTEGER NOT NULL DEFAULT 0,
    lapses INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL,
    rating INTEGER NOT NULL,     -- 1 Again, 2 Hard, 3 Good, 4 Easy
    correct INTEGER,             -- exercises: 1/0, questions: NULL (self-graded)
    reviewed_at TEXT NOT NULL,
    due_after TEXT NOT NULL,
    detail TEXT                  -- JSON: the exercise's facts, the answer given
);
"""


class Progress:
    """The learner's FSRS cards in one SQLite file. `now=` everywhere so tests can freeze time."""

    def __init__(self, path: str | Path | None = None, scheduler: Scheduler | None = None, read_only: bool = False):
        self.path = Path(path) if path is not None else default_db_path()
        self.read_only = read_only
        # Fuzzing off: the same answers give the same schedule (testable, explainable).
        self.scheduler = scheduler or Scheduler(enable_fuzzing=False)
        self.items = study_items()
        self.by_id = {it.id: it for it in self.items}
        self.db = self._open()

    # -- the file -------------------------------------------------------------------------------

    def _fail(self, exc: Exception) -> StudyDatabaseError:
        return StudyDatabaseError(f"the study progress file {self.path} cannot be used ({exc}); it was left "
                                  f"untouched: move it away or choose another file with --db")

    def _open(self) -> sqlite3.Connection:
        if self.path.is_dir():
            raise StudyDatabaseError(f"--db {self.path} is a folder; give a file name such as {self.path / 'study.sqlite3'}")
        existed = self.path.exists()
        # A command that only reads must leave no file (nor folder) behind: with nothing answered yet,
        # an empty database in memory gives the same empty state.
        in_memory = self.read_only and not existed
        try:
            if not in_memory:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(":memory:" if in_memory else str(self.path), timeout=10, isolation_level=None,
                                 check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise self._fail(exc) from None
        try:
            # Read before writing anything: a foreign or damaged file must fail here, unchanged.
            if existed and self.path.stat().st_size > 0:
                check = db.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise sqlite3.DatabaseError(f"integrity check: {check}")
                tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
                if tables and not {"meta", "cards", "reviews"} <= tables:
                    raise sqlite3.DatabaseError("not a glassnet study database")
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("BEGIN IMMEDIATE")
            for statement in SCHEMA.split(";"):  # one by one: executescript would commit our transaction
                if statement.strip():
                    db.execute(statement)
            row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            elif row[0] != str(SCHEMA_VERSION):
                raise sqlite3.DatabaseError(f"schema version {row[0]}, this glassnet reads {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            db.close()
            raise self._fail(exc) from None
        return db

    def _writable(self) -> None:
        if self.read_only:
            raise StudyDatabaseError(f"the study progress file {self.path} was opened read-only: nothing can be recorded")

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- reading ------------------------------------------------------------------------------

    def card(self, item_id: str) -> tuple[Card | None, int]:
        """The item's FSRS card (None: never reviewed) and its streak."""
        try:
            row = self.db.execute("SELECT fsrs, streak FROM cards WHERE item_id=?", (item_id,)).fetchone()
            return (Card.from_json(row[0]), row[1]) if row else (None, 0)
        except (sqlite3.Error, ValueError, KeyError) as exc:
            raise self._fail(exc) from None

    def cards(self) -> dict[str, dict]:
        try:
            rows = self.db.execute("SELECT item_id, fsrs, streak, reviews, lapses FROM cards").fetchall()
            return {r[0]: {"card": Card.from_json(r[1]), "streak": r[2], "reviews": r[3], "lapses": r[4]} for r in rows}
        except (sqlite3.Error, ValueError, KeyError) as exc:
            raise self._fail(exc) from None

    def due_items(self, now: datetime | None = None, kinds: tuple[str, ...] = ("question", "exercise")) -> list[Item]:
        """Everything due at `now`: reviews that fell due (most overdue first), then new items in deck order."""
        now = as_utc(now)
        known = self.cards()
        due, new = [], []
        for it in self.items:
            if it.kind not in kinds:
                continue
            if it.id not in known:
                new.append(it)
            elif known[it.id]["card"].due <= now:
                due.append((known[it.id]["card"].due, it.order, it))
        return [it for _, _, it in sorted(due)] + new

    def next_item(self, now: datetime | None = None, skip: set[str] = frozenset()) -> Item | None:
        for it in self.due_items(now):
            if it.id not in skip:
                return it
        return None

    # -- writing ------------------------------------------------------------------------------

    def review(self, item_id: str, rating: Rating | int | str, now: datetime | None = None,
               correct: bool | None = None, detail: dict | None = None) -> Card:
        """Record one answer (one transaction) and return the card with its new due date."""
        if item_id not in self.by_id:
            raise ConfigError(f"unknown study item {item_id!r}")
        rating = parse_rating(rating)
        now = as_utc(now)
        self._writable()
        try:
            self.db.execute("BEGIN IMMEDIATE")  # take the write lock first: the read below must not go stale
            row = self.db.execute("SELECT fsrs, streak, reviews, lapses FROM cards WHERE item_id=?",
                                  (item_id,)).fetchone()
            if row:
                card, streak, reviews, lapses = Card.from_json(row[0]), row[1], row[2], row[3]
            else:
                card, streak, reviews, lapses = Card(card_id=self.by_id[item_id].order + 1, due=now), 0, 0, 0
            card, _log = self.scheduler.review_card(card, rating, review_datetime=now)
            ok = rating != Rating.Again
            streak, reviews, lapses = (streak + 1 if ok else 0), reviews + 1, lapses + (not ok)
            self.db.execute("INSERT OR REPLACE INTO cards VALUES (?, ?, ?, ?, ?, ?)",
                            (item_id, card.to_json(), card.due.isoformat(), streak, reviews, lapses))
            self.db.execute("INSERT INTO reviews (item_id, rating, correct, reviewed_at, due_after, detail) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            (item_id, int(rating), None if correct is None else int(correct), now.isoformat(),
                             card.due.isoformat(), json.dumps(detail, default=str) if detail else None))
            self.db.execute("COMMIT")
        except (sqlite3.Error, ValueError, KeyError) as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise self._fail(exc) from None
        return card

    def reset(self) -> None:
        self._writable()
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM cards")
            self.db.execute("DELETE FROM reviews")
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise self._fail(exc) from None

    def stats(self, now: datetime | None = None) -> dict:
        """Every item's FSRS state, for `glassnet study stats --json` and the lab."""
        now = as_utc(now)
        known = self.cards()
        rows = []
        for it in self.items:
            k = known.get(it.id)
            c = k["card"] if k else None
            rows.append({"item": it.id, "kind": it.kind, "question": it.question,
                         "state": c.state.name if c else "New", "due": c.due.isoformat() if c else None,
                         "due_now": c is None or c.due <= now,
                         "stability": c.stability if c else None, "difficulty": c.difficulty if c else None,
                         "recall": self.retrievability(c, now), "streak": k["streak"] if k else 0,
                         "reviews": k["reviews"] if k else 0, "lapses": k["lapses"] if k else 0})
        try:
            n, recalled, correct, answered = self.db.execute(
                "SELECT COUNT(*), COALESCE(SUM(rating > 1), 0), COALESCE(SUM(correct), 0), COUNT(correct) "
                "FROM reviews").fetchone()
        except sqlite3.Error as exc:
            raise self._fail(exc) from None
        upcoming = [r["due"] for r in rows if r["due"] and not r["due_now"]]
        return {"db": str(self.path), "now": now.isoformat(), "items": len(rows),
                "reviewed": sum(r["reviews"] > 0 for r in rows), "due_now": sum(r["due_now"] for r in rows),
                "next_due": min(upcoming) if upcoming else None, "reviews": n, "recalled": recalled,
                "exercises_answered": answered, "exercises_correct": correct, "by_item": rows}

    # -- what the learner knows -----------------------------------------------------------------

    def retrievability(self, card: Card | None, now: datetime | None = None) -> float:
        return 0.0 if card is None else float(self.scheduler.get_card_retrievability(card, as_utc(now)))

    def mastery(self, now: datetime | None = None) -> dict:
        """Per question: how sure (FSRS recall probability), streak, next due; plus totals.

        A question is its card and its exercise types. Recall and streak are over the items already
        answered, with `seen` of `items_total` saying how many those are: right after a first good
        answer to the card, "100 % recall, 1 of 2 seen, due now: its exercise is new" is true, where
        a 0 % from the exercise not yet met would contradict the answer just given."""
        now = as_utc(now)
        known = self.cards()
        questions = []
        for card in load_deck():
            mine = [it for it in self.items if it.question == card.question]
            parts = []
            for it in mine:
                k = known.get(it.id)
                parts.append({"item": it.id, "kind": it.kind, "reviewed": k is not None,
                              "state": k["card"].state.name if k else "New",
                              "recall": self.retrievability(k["card"] if k else None, now),
                              "streak": k["streak"] if k else 0, "reviews": k["reviews"] if k else 0,
                              "due": k["card"].due.isoformat() if k else None,
                              "due_now": k is None or k["card"].due <= now})
            seen = [p for p in parts if p["reviewed"]]
            # Due now: a review that fell due, or an item never met (always waiting); reviews first.
            due_items = [p["item"] for p in seen if p["due_now"]] + [p["item"] for p in parts if not p["reviewed"]]
            dues = [known[p["item"]]["card"].due for p in seen]
            # Mastered: every part answered, out of the short learning steps (FSRS "Review" state, days
            # between reviews), and each still recalled with at least the desired retention (90 %).
            mastered = (all(p["state"] == "Review" for p in parts)
                        and min(p["recall"] for p in parts) >= self.scheduler.desired_retention)
            questions.append({
                "question": card.question, "id": card.id, "title": card.title,
                # sure of what was seen only when sure of all of it: the weakest seen part
                "recall": round(min((p["recall"] for p in seen), default=0.0), 4),
                "streak": min((p["streak"] for p in seen), default=0),
                "seen": len(seen), "items_total": len(parts),
                "next_due": now.isoformat() if due_items else min(dues).isoformat(),
                "due_now": bool(due_items), "due_items": due_items,
                # Still in the short learning steps (minutes apart): FSRS's recall is not yet meaningful.
                "learning": any(p["state"] in ("Learning", "Relearning") for p in parts),
                "mastered": mastered,
                "items": parts})
        totals = self.stats(now)
        return {"now": now.isoformat(), "db": str(self.path), "questions": questions,
                "mastered": sum(q["mastered"] for q in questions), "of": len(questions),
                "overall_recall": round(sum(q["recall"] for q in questions) / len(questions), 4),
                **{k: totals[k] for k in ("due_now", "next_due", "items", "reviews", "recalled",
                                          "exercises_answered", "exercises_correct")}}


def parse_rating(rating) -> Rating:
    """Rating, 1..4, or 'again'/'hard'/'good'/'easy' (any case) -> Rating."""
    if isinstance(rating, Rating):
        return rating
    if isinstance(rating, bool):
        raise ConfigError("a rating is 1..4 or again/hard/good/easy")
    if isinstance(rating, int) and 1 <= rating <= 4:
        return Rating(rating)
    if isinstance(rating, str):
        t = rating.strip().lower()
        if t in RATINGS:
            return RATINGS[t]
        if t in ("1", "2", "3", "4"):
            return Rating(int(t))
    raise ConfigError(f"rating {rating!r} must be 1..4 or again, hard, good, easy")
