"""Study: the eight questions as cards, exercises generated from your own network, FSRS scheduling.

The deck (deck.toml) holds the questions and their answers; exercises.py builds exercises from the
live network with answers the program checks; progress.py keeps FSRS cards in SQLite; session.py
decides what to ask next. The terminal (`glassnet study`) and the web lab's Study tab share them.
"""

from .deck import QuestionCard, load_deck
from .exercises import GENERATORS, AnswerError, Exercise, Verdict, check, generate
from .progress import Progress, StudyDatabaseError, default_db_path
from .session import Asked, Study

__all__ = ["QuestionCard", "load_deck", "GENERATORS", "AnswerError", "Exercise", "Verdict", "check", "generate",
           "Progress", "StudyDatabaseError", "default_db_path", "Asked", "Study"]
