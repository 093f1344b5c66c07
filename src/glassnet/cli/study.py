"""`glassnet study`: the eight questions and exercises from your own network, spaced by FSRS.

    glassnet study [--db FILE] [--model FILE] [--limit N] [--seed S] [--json]   a session (answers on stdin)
    glassnet study stats [--db FILE] [--json]                         every card's FSRS state
    glassnet study mastery [--db FILE] [--json]                       how sure you are, per question
    glassnet study reset --yes [--db FILE]                            forget all progress
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer
from rich.table import Table
from rich.text import Text

from ..errors import ConfigError
from ..modelfile import load_model
from ..study.exercises import LETTERS, AnswerError, Exercise
from ..study.progress import Progress
from ..study.session import Study, model_answer
from . import common
from .common import JSON_OPTION, app, emit_json, resolve_model

# Where the session talks to the learner: stdout, or stderr when stdout is kept for --json.
out = common.out

study_app = typer.Typer(name="study", help="Study the eight questions: cards and exercises from your own network, "
                                          "spaced repetition (FSRS) so nothing known is asked twice.",
                        invoke_without_command=True, no_args_is_help=False)
app.add_typer(study_app, name="study")

Json = Annotated[bool, JSON_OPTION]
DbOption = Annotated[Optional[Path], typer.Option("--db", help="Progress file (default: study.sqlite3 in the user data dir).",
                                                  show_default=False)]


def _now() -> datetime:  # one place to read the clock (tests freeze time through the library's now=)
    from ..study.progress import utcnow

    return utcnow()


# -- drawing in the terminal ---------------------------------------------------------------------

SHADES = " ░▒▓█"
# Without colour (a pipe, a log file, NO_COLOR) red and blue blocks would look the same, and a
# weight's sign is the whole point: there the character itself carries it, denser for larger.
POSITIVE, NEGATIVE = " +*#", " -=%"


def has_color(console) -> bool:
    return console.color_system is not None and not console.no_color


def grid_text(grid, kind: str, cell: int = 2, color: bool = True) -> Text:
    """A 28×28 grid at half resolution, 14×14 (each character cell the mean of 2×2 values, `cell`
    characters wide): pixels in grey shades; weights blue (positive) / red (negative) with the shade
    showing the size, or without colour in the signed characters of POSITIVE / NEGATIVE."""
    a = np.asarray(grid, dtype=np.float64).reshape(14, 2, 14, 2).mean(axis=(1, 3))
    text = Text(no_wrap=True, overflow="crop")
    scale = np.abs(a).max() or 1.0
    for r in range(14):
        for c in range(14):
            v = a[r, c]
            if kind == "weights" and color:
                level = int(round(min(abs(v) / scale, 1) * 4))
                text.append(SHADES[level] * cell, style="blue" if v > 0 else "red")
            elif kind == "weights":
                level = int(round(min(abs(v) / scale, 1) * 3))
                text.append((POSITIVE if v > 0 else NEGATIVE)[level] * cell)
            else:
                text.append(SHADES[int(round(min(max(v, 0), 1) * 4))] * cell)
        text.append("\n")
    return text


def images_legend(images: list[dict], color: bool) -> str:
    """One line saying how grid_text drew these pictures."""
    kinds = {im["kind"] for im in images}
    parts = []
    if "weights" in kinds:
        parts.append("weights blue positive, red negative, a fuller block is larger" if color else
                     f"weights {' '.join(POSITIVE.strip())} positive, {' '.join(NEGATIVE.strip())} negative "
                     f"(weak to strong), blank near 0")
    if "pixels" in kinds:
        parts.append(f"pixels {SHADES.strip()} dark to bright")
    return "Drawn at half resolution, 14×14, each cell the mean of 2×2 values: " + "; ".join(parts) + "."


def show_images(images: list[dict]) -> None:
    # Two characters per cell keep the picture square; five pictures need a wide terminal, else one.
    cell = 2 if out.width >= len(images) * 30 else 1
    color = has_color(out)
    table = Table.grid(padding=(0, 2))
    for _ in images:
        table.add_column(no_wrap=True, width=14 * cell)
    table.add_row(*[Text(im["caption"], style="bold", overflow="fold") for im in images])
    table.add_row(*[grid_text(im["grid"], im["kind"], cell, color) for im in images])
    out.print(table)
    out.print(images_legend(images, color), style="dim", highlight=False)


def show_curve(curve: dict, width: int = 61, height: int = 12) -> None:
    """The cost as a function of one weight, as text: • the curve, W where w is now, L its lowest point."""
    values, costs = np.asarray(curve["values"]), np.asarray(curve["costs"])
    cols = np.linspace(0, len(values) - 1, width).round().astype(int)
    v, c = values[cols], costs[cols]
    lo, hi = c.min(), c.max()
    rows = np.round((hi - c) / ((hi - lo) or 1) * (height - 1)).astype(int)
    canvas = [[" "] * width for _ in range(height)]
    for x, y in enumerate(rows):
        canvas[y][x] = "•"
    for mark, at in (("L", curve["lowest"]), ("W", curve["current"])):
        x = int(np.argmin(np.abs(v - at)))
        canvas[rows[x]][x] = mark
    out.print(f"cost {hi:.4f}")
    for line in canvas:
        out.print("  │" + "".join(line), highlight=False)
    out.print("  └" + "─" * width)
    left, right = f"w = {v[0]:.2f}", f"w = {v[-1]:.2f}"
    out.print(f"   {left}" + " " * max(1, width - len(left) - len(right)) + right)
    out.print(f"cost {lo:.4f} at the bottom")
    out.print("   W = the weight now, L = the lowest point of the curve", style="dim")


# -- reading answers -----------------------------------------------------------------------------

class EndOfInput(Exception):
    pass


def read_line(prompt: str) -> str:
    out.print(prompt, end="")
    line = sys.stdin.readline()
    if not line:  # end of input: the learner closed the session
        out.print()
        raise EndOfInput
    return line.rstrip("\n")


def ask_exercise(study: Study, asked, now) -> dict:
    ex: Exercise = asked.exercise
    out.print(f"[bold]Exercise[/] (question {ex.question}, {ex.type}):")
    out.print(ex.prompt, highlight=False)
    if ex.images:
        show_images(ex.images)
    if ex.curve:
        show_curve(ex.curve)
    for k, choice in enumerate(ex.choices):
        out.print(f"  {LETTERS[k]}) {choice}", highlight=False)
    while True:
        text = read_line("Your answer: ")
        try:
            verdict, schedule = study.answer_exercise(asked, text, now=now())
            break
        except AnswerError as exc:
            out.print(f"[yellow]{exc}[/] — try again.", highlight=False)
    out.print(("[green]" if verdict.correct else "[red]") + verdict.message + "[/]", highlight=False)
    out.print(ex.explanation, style="dim", highlight=False)
    out.print(f"Next time: {describe_due(schedule)}.")
    return {"item": asked.item.id, "kind": "exercise", "question": ex.question, "type": ex.type,
            "prompt": ex.prompt, "choices": ex.choices, "answer": text, "correct": verdict.correct,
            "due": schedule["due"], "due_in_seconds": schedule["due_in_seconds"]}


def ask_question(study: Study, asked, now) -> dict:
    card = asked.to_dict()
    out.print(f"[bold]Question {asked.item.question}[/]: {card['prompt']}", highlight=False)
    while True:
        text = read_line("Your answer (in your own words; '?' if you don't know): ")
        if text.strip():
            break
        out.print("[yellow]The answer is empty: write what you think first (or '?'), it is what makes it stick.[/]")
    out.print("[bold]Model answer:[/] " + model_answer(asked.item), highlight=False)
    out.print(f"See it: [cyan]{card['card']['inspect']}[/] — lab tab {card['card']['lab']}", highlight=False)
    while True:
        grade = read_line("How well did you know it? 1 Again, 2 Hard, 3 Good, 4 Easy: ").strip()
        try:
            schedule = study.grade_question(asked, grade, text, now=now())
            break
        except ConfigError:
            out.print(f"[yellow]{grade!r} is not a rating: type 1, 2, 3 or 4 (or again, hard, good, easy).[/]")
    out.print(f"Next time: {describe_due(schedule)}.")
    return {"item": asked.item.id, "kind": "question", "question": asked.item.question, "prompt": card["prompt"],
            "answer": text, "rating": schedule["rating"], "due": schedule["due"],
            "due_in_seconds": schedule["due_in_seconds"]}


def plural(n: int, word: str) -> str:
    """'1 answer', '2 answers'."""
    return f"{n} {word}" + ("" if n == 1 else "s")


def describe_due(schedule: dict) -> str:
    s = schedule["due_in_seconds"]
    if s < 3600:
        return "in " + plural(max(1, round(s / 60)), "minute")
    if s < 2 * 86400:
        return "in " + plural(round(s / 3600), "hour")
    return "in " + plural(round(s / 86400), "day")


# -- the commands --------------------------------------------------------------------------------

@study_app.callback(invoke_without_command=True)
def session(
    ctx: typer.Context,
    db: DbOption = None,
    model: Annotated[Optional[Path], typer.Option("--model", help="Model file (default: the last one trained).",
                                                  show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many cards in this session.")] = 20,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed for the exercises' random draws.")] = None,
    json_: Annotated[bool, typer.Option("--json", help="The session on stderr, answers still on stdin; then one "
                                                       "JSON object of what was asked and answered on stdout.")] = False,
):
    """A study session: due cards and exercises, one at a time, until none is due or --limit is reached."""
    global out
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"db": db}  # `glassnet study --db F stats` means the same as `glassnet study stats --db F`
        return
    if limit < 1:
        raise ConfigError(f"--limit {limit} must be at least 1")
    path = resolve_model(model)
    net, _info = load_model(path)
    out = common.console if json_ else common.out
    try:
        with Progress(db) as progress:
            study = Study(progress, net, seed=seed)
            asked_now: set[str] = set()
            answered, ended = [], "limit"
            try:
                while len(answered) < limit:
                    asked = study.ask(_now(), skip=asked_now)
                    if asked is None:
                        ended = "nothing due"
                        break
                    asked_now.add(asked.item.id)
                    out.rule(f"{len(answered) + 1}")
                    answered.append((ask_exercise if asked.exercise else ask_question)(study, asked, _now))
            except EndOfInput:
                ended = "end of input"
                out.print("Session ended (end of input); every answer given so far is saved.")
            if not answered and not asked_now:
                stats = progress.stats(_now())
                out.print(f"Nothing is due: everything you know is scheduled. Next card due {stats['next_due'] or 'now'}.")
            right = sum(a.get("correct", a.get("rating") not in (None, "Again")) for a in answered)
            out.print(f"\nThis session: {len(answered)} answered, {right} right or recalled.")
            mastery = progress.mastery(_now())
            show_mastery(mastery)
    finally:
        out = common.out
    if json_:
        emit_json({"db": mastery["db"], "model": str(path), "ended": ended, "answered": len(answered),
                   "right": right, "items": answered, "mastery": mastery})


def due_text(q: dict) -> str:
    """When a question is next due; if now, which of its items and why (a review fell due, or new)."""
    if not q["due_now"]:
        return q["next_due"][:16].replace("T", " ")
    reviewed = {p["item"]: p["reviewed"] for p in q["items"]}
    groups = {"review": [], "new": []}
    for item in q["due_items"]:
        groups["review" if reviewed.get(item) else "new"].append(item.split(":", 1)[1] if ":" in item else "card")
    return "now (" + "; ".join(f"{why}: {', '.join(names)}" for why, names in groups.items() if names) + ")"


def show_mastery(m: dict) -> None:
    table = Table(title=f"How sure you are ({m['mastered']} of {m['of']} questions mastered)")
    for col in ("#", "question", "seen", "recall", "streak", "next due"):
        table.add_column(col, justify="right" if col in ("#", "recall", "streak") else "left")
    for q in m["questions"]:
        # Recall and streak are over the items seen; with none seen there is nothing to measure yet.
        none = q["seen"] == 0
        table.add_row(str(q["question"]), q["title"], f"{q['seen']} of {q['items_total']}",
                      "–" if none else f"{100 * q['recall']:.0f} %" + (" (learning)" if q["learning"] else ""),
                      "–" if none else str(q["streak"]), due_text(q))
    out.print(table)
    out.print("Recall: FSRS's probability that you still know the items seen; streak: answers in a row rated "
              "Hard or better, or exercises right.", style="dim", highlight=False)


def _db(ctx: typer.Context, db: Path | None) -> Path | None:
    return db if db is not None else (ctx.obj or {}).get("db")


@study_app.command("stats")
def stats_command(ctx: typer.Context, db: DbOption = None, json_: Json = False):
    """Every card's FSRS state: due date, stability, difficulty, recall probability, streak."""
    with Progress(_db(ctx, db), read_only=True) as progress:  # a missing file stays missing
        stats = progress.stats()
    if json_:
        emit_json(stats)
        return
    table = Table(title=f"Study progress in {stats['db']}")
    for col in ("item", "state", "due", "recall", "streak", "reviews"):
        table.add_column(col)
    for r in stats["by_item"]:
        table.add_row(r["item"], r["state"], "now" if r["due_now"] else r["due"][:16].replace("T", " "),
                      f"{100 * r['recall']:.0f} %", str(r["streak"]), str(r["reviews"]))
    out.print(table)
    out.print(f"{plural(stats['reviews'], 'answer')} so far; {stats['due_now']} due now.")


@study_app.command("mastery")
def mastery_command(ctx: typer.Context, db: DbOption = None, json_: Json = False):
    """Per question: the FSRS recall probability ("how sure"), streak, next due date."""
    with Progress(_db(ctx, db), read_only=True) as progress:  # a missing file stays missing
        m = progress.mastery()
    if json_:
        emit_json(m)
    else:
        show_mastery(m)


@study_app.command("reset")
def reset_command(ctx: typer.Context, db: DbOption = None, yes: Annotated[bool, typer.Option("--yes", help="Really forget.")] = False,
                  json_: Json = False):
    """Forget all study progress in the file (asks for --yes)."""
    if not yes:
        raise ConfigError("reset forgets every answer you gave: add --yes to confirm")
    with Progress(_db(ctx, db)) as progress:
        progress.reset()
        path = progress.path
    if json_:
        emit_json({"reset": True, "db": str(path)})
    else:
        out.print(f"Study progress in {path} forgotten.")
