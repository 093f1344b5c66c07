"""A study session: what to ask next, and what an answer does to the schedule.

The same logic serves the terminal (`glassnet study`) and the web lab's Study tab: ask the item
FSRS says is due; for a question card show the model answer and take the learner's self-grade;
for an exercise check the answer and turn right/wrong into Good/Again.
"""

from __future__ import annotations

import re

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
from fsrs import Rating

from ..errors import ConfigError
from ..network import Network
from .deck import load_deck
from .exercises import AnswerError, Exercise, Verdict, check, generate
from .progress import Item, Progress, as_utc

MAX_PENDING = 256  # exercises handed out and not yet answered (web lab); the oldest are forgotten


@lru_cache(maxsize=1)
def exercise_images(n: int = 1000):
    """Real pictures for the exercises: the first `n` MNIST test images (embedded, loads in a blink)."""
    from ..data import load_mnist

    test = load_mnist().test
    return test.x[:n], test.labels[:n]


@dataclass
class Asked:
    """One thing put to the learner."""
    token: str
    item: Item
    exercise: Exercise | None  # None for a question card

    def links(self) -> dict:
        """Where to see it: the card's `glassnet inspect` command, pointed at this exercise's own
        layer, unit or weight when it has one, and the lab tab."""
        card = next(c for c in load_deck() if c.question == self.item.question)
        command, facts = card.inspect, self.exercise.facts if self.exercise else {}
        if "layer" in facts and "to" in facts and "from" in facts and " weight " in command:
            command = command.split(" weight ")[0] + f" weight {facts['layer']} {facts['to']} {facts['from']}"
        elif "layer" in facts and "unit" in facts and "--unit" in command:
            command = re.sub(r"--layer \d+ --unit \d+", f"--layer {facts['layer']} --unit {facts['unit']}", command)
        return {"inspect": command, "lab": card.lab}

    def to_dict(self) -> dict:
        d = {"token": self.token, "item": self.item.id, "kind": self.item.kind, "question": self.item.question}
        card = next(c for c in load_deck() if c.question == self.item.question)
        d["card"] = {"id": card.id, "title": card.title, **self.links()}
        if self.exercise is None:
            d["prompt"] = card.prompt
        else:
            d["exercise"] = self.exercise.to_dict()
            d["prompt"] = self.exercise.prompt
        return d


class Study:
    """Hands out due items and records answers, for one network and one progress file."""

    def __init__(self, progress: Progress, net: Network | None, images=None, seed: int | None = None):
        self.progress, self.net = progress, net
        self.images = images
        self.rng = np.random.default_rng(seed)
        self.pending: dict[str, Asked] = {}
        self.lock = threading.Lock()

    def _images(self):
        if self.images is None:
            self.images = exercise_images()
        return self.images

    def ask(self, now: datetime | None = None, skip: set[str] = frozenset()) -> Asked | None:
        """The next due item (None: nothing due), with a freshly generated exercise if it is one."""
        skip = set(skip)
        while True:
            item = self.progress.next_item(now, skip=skip)
            if item is None:
                return None
            if item.kind == "question":
                exercise = None
                break
            if self.net is None:  # no network: questions only
                skip.add(item.id)
                continue
            exercise = self._generate(item)
            if exercise is not None:
                break
            skip.add(item.id)  # this network offers no fair draw of that type today: leave it due
        asked = Asked(secrets.token_hex(8), item, exercise)
        with self.lock:
            self.pending[asked.token] = asked
            while len(self.pending) > MAX_PENDING:
                self.pending.pop(next(iter(self.pending)))
        return asked

    def _generate(self, item: Item) -> Exercise | None:
        x, labels = self._images()
        for _ in range(3):  # a draw can rarely fail (e.g. no visible valley on a weight's curve): draw again
            try:
                return generate(item.exercise_type, self.net, x, labels, self.rng)
            except AnswerError:
                continue
        return None

    def lookup(self, token: str) -> Asked:
        with self.lock:
            asked = self.pending.get(token)
        if asked is None:
            raise ConfigError(f"no open study item with token {token!r}: ask for the next card again")
        return asked

    def answer_exercise(self, asked: Asked, text: str, now: datetime | None = None) -> tuple[Verdict, dict]:
        """Check the answer (AnswerError if it cannot be judged: nothing recorded), then schedule."""
        verdict = check(asked.exercise, text)
        rating = Rating.Good if verdict.correct else Rating.Again
        card = self.progress.review(asked.item.id, rating, now, correct=verdict.correct,
                                    detail={"given": verdict.given, "expected": verdict.expected,
                                            "facts": {k: v for k, v in asked.exercise.facts.items() if k != "batch"}})
        self._done(asked)
        return verdict, self._schedule(card, rating, now)

    def grade_question(self, asked: Asked, rating, answer_text: str = "", now: datetime | None = None) -> dict:
        card = self.progress.review(asked.item.id, rating, now, detail={"answer": answer_text[:2000]})
        self._done(asked)
        return self._schedule(card, card_rating(rating), now)

    def _done(self, asked: Asked):
        with self.lock:
            self.pending.pop(asked.token, None)

    def _schedule(self, card, rating, now) -> dict:
        now = as_utc(now)
        return {"rating": Rating(rating).name, "due": card.due.isoformat(),
                "due_in_seconds": round((card.due - now).total_seconds()),
                "recall": self.progress.retrievability(card, now)}


def card_rating(rating) -> Rating:
    from .progress import parse_rating

    return parse_rating(rating)


def model_answer(item: Item) -> str:
    return next(c for c in load_deck() if c.question == item.question).answer
