"""`glassnet study`: a session driven through stdin, stats/mastery JSON, clear errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

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
    assert "Model answer:" in out and "glassnet inspect features" in out
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
