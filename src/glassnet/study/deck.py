"""The deck: the eight questions and their answers, read from deck.toml (plain data in the package)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..errors import DataError

# The lab's tabs as their buttons read in web/static/index.html: the Study tab finds the tab to
# link to by this text, so a card must name one exactly.
LAB_TABS = ("Draw", "Train", "Probe a weight", "Gradient", "Study")
INSPECT_COMMANDS = ("features", "fires", "sigmoid", "bias", "count", "cost", "weight", "gradient", "first-layer")


@dataclass(frozen=True)
class QuestionCard:
    id: str
    question: int  # 1..8
    title: str
    prompt: str
    answer: str
    inspect: str  # the `glassnet inspect ...` command that shows it
    lab: str  # the lab tab that shows it
    exercises: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict:
        return {"id": self.id, "question": self.question, "title": self.title, "prompt": self.prompt,
                "answer": self.answer, "inspect": self.inspect, "lab": self.lab, "exercises": list(self.exercises)}


def parse_deck(text: str) -> list[QuestionCard]:
    """Cards from TOML text, checked: a broken deck is a one-line DataError, not a KeyError later."""
    try:
        raw = tomllib.loads(text)["card"]
        cards = [QuestionCard(id=c["id"], question=int(c["question"]), title=c["title"], prompt=c["prompt"],
                              answer=c["answer"], inspect=c["inspect"], lab=c["lab"],
                              exercises=tuple(c.get("exercises", ()))) for c in raw]
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise DataError(f"the study deck is malformed: {type(exc).__name__}: {exc}") from None
    for c in cards:
        command = c.inspect.split()
        if command[:2] != ["glassnet", "inspect"] or len(command) < 3 or command[2] not in INSPECT_COMMANDS:
            raise DataError(f"study card {c.id}: {c.inspect!r} is not a glassnet inspect command")
        if c.lab not in LAB_TABS:
            raise DataError(f"study card {c.id}: lab tab {c.lab!r} is not one of {', '.join(LAB_TABS)}")
    if len({c.id for c in cards}) != len(cards):
        raise DataError("the study deck has two cards with the same id")
    return sorted(cards, key=lambda c: c.question)


@lru_cache(maxsize=1)
def load_deck() -> tuple[QuestionCard, ...]:
    return tuple(parse_deck(resources.files(__package__).joinpath("deck.toml").read_text(encoding="utf-8")))
