"""`glassnet study`: a session driven through stdin, stats/mastery JSON, clear errors."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner

import glassnet.cli.study as study_cli
from glassnet.cli import main
from glassnet.cli.common import app
from glassnet.study import Progress

runner = CliRunner()


def study(args, input=None):
    return runner.invoke(app, ["study", *args], input=input)


def test_a_session_through_stdin_saves_every_answer(tmp_path, small_model_path):
    db = tmp_path / "s.db"
    # q1 card: an empty answer first (told off), then an answer, a bad rating, then Good;
    # the pixel-region exercise: a non-choice first, then A; the q2 card: '?' and Again.
    answers = "\nweights pick a pattern\nx\n3\nZ\nA\n?\n1\n"
    result = study(["--db", str(db), "--model", str(small_model_path), "--limit", "3", "--seed", "0"], answers)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "The answer is empty" in out and "'x' is not a rating" in out and "'Z' is not one of the choices" in out
    assert "Model answer:" in out and "glassnet inspect features" in out and "lab tab Draw" in out
    assert "Next time: in 10 minutes." in out and "Next time: in 1 minute." in out  # Good on a new card; Again
    assert "Drawn at half resolution, 14×14, each cell the mean of 2×2 values" in out  # the weights' legend
    assert "This session: 3 answered" in out and "How sure you are" in out
    stats = json.loads(study(["stats", "--db", str(db), "--json"]).stdout)
    rows = {r["item"]: r for r in stats["by_item"]}
    assert stats["reviews"] == 3 and stats["exercises_answered"] == 1
    assert rows["q1-features"]["streak"] == 1 and rows["q2-sigmoid"]["lapses"] == 1
    assert rows["exercise:pixel-region"]["reviews"] == 1 and rows["q3-bias"]["state"] == "New"

    # A second session right away: nothing answered well is asked again before it is due.
    again = study(["--db", str(db), "--model", str(small_model_path), "--limit", "1", "--seed", "1"], "1\n")
    assert again.exit_code == 0, again.output
    assert "Question 1:" not in again.output and "Exercise (question 2, sigmoid-value)" in again.output


def test_a_session_with_json_keeps_stdout_for_one_object(tmp_path, small_model_path):
    """--json: the conversation goes to stderr, answers still come from stdin, and stdout holds one
    JSON object of what was asked and answered (and the mastery after it)."""
    db = tmp_path / "s.db"
    result = study(["--db", str(db), "--model", str(small_model_path), "--limit", "3", "--seed", "0", "--json"],
                   "weights pick a pattern\n3\nA\n?\n1\n")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # nothing else on stdout
    assert "Model answer:" in result.stderr and "This session: 3 answered" in result.stderr
    assert "Drawn at half resolution" in result.stderr  # the pictures and their legend go with the conversation
    assert report["answered"] == 3 and report["ended"] == "limit" and report["model"] == str(small_model_path)
    kinds = [(i["item"], i["kind"]) for i in report["items"]]
    assert kinds == [("q1-features", "question"), ("exercise:pixel-region", "exercise"), ("q2-sigmoid", "question")]
    first, exercise, third = report["items"]
    assert first["rating"] == "Good" and first["answer"] == "weights pick a pattern" and first["due_in_seconds"] > 0
    assert exercise["answer"] == "A" and isinstance(exercise["correct"], bool) and len(exercise["choices"]) == 4
    assert third["rating"] == "Again" and report["right"] == 1 + exercise["correct"]
    assert report["mastery"]["reviews"] == 3 and len(report["mastery"]["questions"]) == 8
    # and the end of input is said in the JSON too
    ended = study(["--db", str(db), "--model", str(small_model_path), "--json"], "")
    assert json.loads(ended.stdout)["ended"] == "end of input"


def test_end_of_input_ends_the_session_cleanly(tmp_path, small_model_path):
    result = study(["--db", str(tmp_path / "s.db"), "--model", str(small_model_path)], "")
    assert result.exit_code == 0 and "Session ended" in result.output
    assert Progress(tmp_path / "s.db").stats()["reviews"] == 0


def test_non_numeric_answer_to_a_numeric_exercise_is_asked_again(tmp_path, small_model_path):
    db = tmp_path / "s.db"
    with Progress(db) as p:  # answered everything of question 1 and the q2 card: next is σ(z)
        for item in ("q1-features", "exercise:pixel-region", "q2-sigmoid"):
            p.review(item, "good")
    result = study(["--db", str(db), "--model", str(small_model_path), "--limit", "1"], "abc\n\n0.5\n")
    assert result.exit_code == 0, result.output
    assert "'abc' is not a number" in result.output and "the answer is empty" in result.output
    assert Progress(db).stats()["exercises_answered"] == 1


def test_mastery_and_stats_json_shapes(tmp_path):
    db = tmp_path / "s.db"
    m = json.loads(study(["mastery", "--db", str(db), "--json"]).stdout)
    assert set(m) >= {"now", "db", "questions", "mastered", "of", "overall_recall", "due_now", "next_due", "reviews"}
    assert [q["question"] for q in m["questions"]] == list(range(1, 9)) and m["of"] == 8 and m["mastered"] == 0
    assert set(m["questions"][0]) >= {"question", "id", "title", "recall", "streak", "next_due", "due_now",
                                       "mastered", "items"}
    s = json.loads(study(["stats", "--db", str(db), "--json"]).stdout)
    assert s["items"] == len(s["by_item"]) >= 16 and s["due_now"] == s["items"]
    human = study(["mastery", "--db", str(db)])
    assert "What the sigmoid does" in human.output


def test_mastery_says_what_was_seen_and_why_it_is_due(tmp_path):
    """Question 1's card rated Good, its exercise not met yet: recalled, 1 of 2 seen, due for the new exercise."""
    db = tmp_path / "s.db"
    with Progress(db) as p:
        p.review("q1-features", "good")
    m = json.loads(study(["mastery", "--db", str(db), "--json"]).stdout)
    q1 = m["questions"][0]
    assert (q1["seen"], q1["items_total"], q1["streak"], q1["recall"]) == (1, 2, 1, 1.0)
    assert q1["due_now"] and q1["due_items"] == ["exercise:pixel-region"]
    human = study(["mastery", "--db", str(db)]).output
    row = next(line for line in human.splitlines() if "How weights make a hidden unit" in line)
    assert "1 of 2" in row and "100 % (learning)" in row and "now (new: pixel-region)" in row
    row2 = next(line for line in human.splitlines() if "What the sigmoid does" in line)
    assert "0 of 2" in row2 and "0 %" not in row2 and "now (new: card, sigmoid-value)" in row2


def test_stats_and_mastery_do_not_create_a_missing_file(tmp_path):
    db = tmp_path / "nowhere" / "nonexistent.db"
    s = json.loads(study(["stats", "--db", str(db), "--json"]).stdout)
    assert s["db"] == str(db) and s["reviews"] == 0 and s["due_now"] == s["items"]
    m = json.loads(study(["mastery", "--db", str(db), "--json"]).stdout)
    assert m["reviews"] == 0 and m["mastered"] == 0 and len(m["questions"]) == 8
    assert "0 answers so far" in study(["stats", "--db", str(db)]).output
    assert "What the sigmoid does" in study(["mastery", "--db", str(db)]).output
    assert json.loads(study(["--db", str(db), "stats", "--json"]).stdout)["reviews"] == 0
    assert not db.exists() and not db.parent.exists()
    from glassnet.study import default_db_path  # the user's own file (here the test's data dir): not either

    assert study(["mastery", "--json"]).exit_code == 0 and not default_db_path().exists()
    assert study(["reset", "--db", str(db), "--yes"]).exit_code == 0  # a writing command creates it
    assert db.exists()


def test_counts_in_sentences_are_singular_or_plural(tmp_path):
    db = tmp_path / "s.db"
    with Progress(db) as p:
        p.review("q4-count", "easy")
    assert "1 answer so far;" in study(["stats", "--db", str(db)]).output
    assert [study_cli.describe_due({"due_in_seconds": s}) for s in (30, 60, 600, 3600, 7200, 86400, 3 * 86400)] == \
        ["in 1 minute", "in 1 minute", "in 10 minutes", "in 1 hour", "in 2 hours", "in 24 hours", "in 3 days"]
    assert study_cli.plural(1, "day") == "1 day" and study_cli.plural(0, "answer") == "0 answers"


def signed_weights():
    """Weights positive in the top half and negative in the bottom half, of every size."""
    size = np.tile(np.linspace(0.05, 1, 28), (28, 1))
    return np.where(np.arange(28)[:, None] < 14, size, -size)


def test_weights_without_colour_carry_their_sign_in_the_characters():
    lines = study_cli.grid_text(signed_weights(), "weights", cell=1, color=False).plain.splitlines()
    top, bottom = set("".join(lines[:7])) - {" "}, set("".join(lines[7:])) - {" "}
    assert top and bottom and not top & bottom  # positive and negative never drawn alike
    assert top <= set(study_cli.POSITIVE) and bottom <= set(study_cli.NEGATIVE)
    assert len(top) == len(bottom) == 3  # and their size still shows, in three steps
    # the same picture in colour: blocks, the sign only in the colour
    coloured = study_cli.grid_text(signed_weights(), "weights", cell=1, color=True)
    assert set(coloured.plain) <= set(study_cli.SHADES + "\n")
    assert {str(span.style) for span in coloured.spans} == {"red", "blue"}
    assert str(coloured.spans[0].style) == "blue" and str(coloured.spans[-1].style) == "red"  # as in the lab: blue +


@pytest.mark.parametrize("console,colour", [
    (dict(color_system=None), False),  # a pipe or a file: what `glassnet study --json 2>log` writes
    (dict(force_terminal=True, color_system="truecolor", no_color=True), False),  # NO_COLOR
    (dict(force_terminal=True, color_system="truecolor"), True)])
def test_pictures_and_their_legend_follow_the_console(monkeypatch, console, colour):
    buffer = io.StringIO()
    monkeypatch.setattr(study_cli, "out", Console(file=buffer, width=200, **console))
    study_cli.show_images([{"caption": "unit 3 weights", "kind": "weights", "grid": signed_weights().tolist()}])
    text = buffer.getvalue()
    legend = text.strip().splitlines()[-1]
    assert "14×14, each cell the mean of 2×2" in legend
    if colour:
        assert "blue positive, red negative" in legend and "\x1b[" in text
    else:
        assert "+ * # positive, - = % negative" in legend and "\x1b[3" not in text  # no colour codes at all
        rows = text.splitlines()[1:15]
        assert "#" in rows[0] and "%" in rows[-1] and "%" not in rows[0] and "#" not in rows[-1]


def test_reset_needs_yes(tmp_path, capsys):
    db = tmp_path / "s.db"
    with Progress(db) as p:
        p.review("q4-count", "easy")
    with pytest.raises(SystemExit) as info:
        main(["study", "reset", "--db", str(db)])
    assert info.value.code == 2 and "--yes" in capsys.readouterr().err
    assert Progress(db).stats()["reviews"] == 1
    assert study(["reset", "--db", str(db), "--yes"]).exit_code == 0
    assert Progress(db).stats()["reviews"] == 0


def test_corrupted_database_is_one_line_and_left_alone(tmp_path, capsys):
    db = tmp_path / "s.db"
    db.write_bytes(b"garbage" * 1000)
    with pytest.raises(SystemExit) as info:
        main(["study", "mastery", "--db", str(db), "--json"])
    captured = capsys.readouterr()
    assert info.value.code == 2
    err = captured.err.strip()
    assert err.count("\n") == 0 and "cannot be used" in err and str(db) in err
    assert "error" in json.loads(captured.out)
    assert db.read_bytes() == b"garbage" * 1000


def test_no_model_is_a_clear_message(tmp_path, monkeypatch, capsys):
    import glassnet.cli.common as common

    monkeypatch.setattr(common, "last_model_record", lambda: tmp_path / "nothing-here.txt")
    with pytest.raises(SystemExit) as info:
        main(["study", "--db", str(tmp_path / "s.db")])
    assert info.value.code == 2 and "glassnet train" in capsys.readouterr().err


def test_bad_limit(tmp_path, small_model_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["study", "--db", str(tmp_path / "s.db"), "--model", str(small_model_path), "--limit", "0"])
    assert info.value.code == 2 and "--limit 0" in capsys.readouterr().err


def test_db_before_the_subcommand_means_the_same(tmp_path):
    db = tmp_path / "s.db"
    with Progress(db) as p:
        p.review("q7-gradient", "good")
    s = json.loads(runner.invoke(app, ["study", "--db", str(db), "stats", "--json"]).stdout)
    assert s["db"] == str(db) and s["reviews"] == 1
