"""Study: the deck, exercises checked against independent computations, FSRS scheduling in SQLite."""

from __future__ import annotations

import re
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from fsrs import Card, Rating, Scheduler

import glassnet
from glassnet.study import GENERATORS, AnswerError, Progress, StudyDatabaseError, check, generate, load_deck
from glassnet.study.deck import LAB_TABS, parse_deck
from glassnet.study.exercises import LETTERS, parse_number
from glassnet.study.session import Study

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
SEEDS = range(4)


@pytest.fixture(scope="module")
def images(mnist):
    return mnist.test.x[:400], mnist.test.labels[:400]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def my_forward(net, x):
    """The forward pass in plain float64 NumPy, written out here so the test does not trust the library."""
    a = np.asarray(x, dtype=np.float64)
    for w, b in zip(net.weights, net.biases):
        a = sigmoid(a @ w.astype(np.float64).T + b.astype(np.float64))
    return a


def fd_derivative(net, x, labels, l, to, frm, h=1e-4):
    """∂C/∂w by central finite differences on a float64 copy (independent of backprop)."""
    twin, x = net.copy(np.float64), np.asarray(x, dtype=np.float64)
    w = twin.weights[l][to, frm]
    twin.weights[l][to, frm] = w + h
    up = twin.cost(x, labels)
    twin.weights[l][to, frm] = w - h
    down = twin.cost(x, labels)
    return (up - down) / (2 * h)


def choice_letter(ex):
    return LETTERS[ex.choices.index(ex.answer)]


# -- the deck -----------------------------------------------------------------------------------

def test_deck_has_the_eight_questions_each_linked_and_practised():
    deck = load_deck()
    assert [c.question for c in deck] == list(range(1, 9))
    inspect = {"features", "fires", "sigmoid", "bias", "count", "cost", "weight", "gradient", "first-layer"}
    for card in deck:
        assert card.inspect.split()[2] in inspect
        assert len(card.answer) > 150 and card.exercises, card.id
        assert all(e in GENERATORS for e in card.exercises)
    used = [e for c in deck for e in c.exercises]
    assert sorted(used) == sorted(GENERATORS) and len(used) >= 8  # every type is scheduled exactly once


def lab_tabs() -> dict[str, str]:
    """The lab's tab buttons as the page has them: their text -> the view they open."""
    html = (Path(glassnet.__file__).parent / "web" / "static" / "index.html").read_text(encoding="utf-8")
    found = re.findall(r'<button class="tab"[^>]*data-view="([^"]+)"[^>]*>([^<]+)</button>', html)
    return {text.strip(): view for view, text in found}


def test_every_card_names_a_real_tab_of_the_lab_and_the_right_one():
    tabs = lab_tabs()
    assert set(tabs.values()) == {"draw", "train", "probe", "gradient", "study"}  # the page was read
    assert set(LAB_TABS) == set(tabs)  # the deck's own check knows exactly the lab's tabs
    lab = {c.question: c.lab for c in load_deck()}
    for question, name in lab.items():
        assert name in tabs, (question, name, sorted(tabs))  # the Study tab links to it by that text
    assert tabs[lab[6]] == "probe" and tabs[lab[7]] == "gradient"
    # A unit's weights as a picture, its z, activation and bias: clicking a unit in Draw.
    assert [tabs[lab[q]] for q in (1, 2, 3)] == ["draw", "draw", "draw"]
    assert tabs[lab[8]] == "train"  # the first layer's 16 weight pictures


def test_a_card_naming_no_tab_of_the_lab_is_refused():
    card = ("[[card]]\nid='a'\nquestion=1\ntitle='t'\nprompt='p'\nanswer='a'\n"
            "inspect='glassnet inspect count'\nlab='{}'\n")
    assert parse_deck(card.format("Probe a weight"))[0].lab == "Probe a weight"
    with pytest.raises(Exception, match="lab tab 'Probe' is not one of"):
        parse_deck(card.format("Probe"))


def test_deck_answer_for_question_4_matches_the_arithmetic(small_net):
    q4 = load_deck()[3]
    total = sum(w.size + b.size for w, b in zip(small_net.weights, small_net.biases))
    assert f"{784 * 16:,}" in q4.answer and f"{total:,}" in q4.answer


@pytest.mark.parametrize("text", ["not toml [", "[[card]]\nid = 'x'\n",
                                  "[[card]]\nid='a'\nquestion=1\ntitle='t'\nprompt='p'\nanswer='a'\n"
                                  "inspect='glassnet inspect nothing'\nlab='Probe'\n"])
def test_broken_deck_is_one_clear_error(text):
    with pytest.raises(Exception) as info:
        parse_deck(text)
    assert "deck" in str(info.value) or "inspect command" in str(info.value)
    assert "\n" not in str(info.value)


# -- every exercise's answer, checked independently -----------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_pixel_region_is_the_quarter_with_the_largest_weight_sum(small_net, images, seed):
    ex = generate("pixel-region", small_net, *images, seed)
    j = ex.facts["unit"]
    grid = small_net.weights[0][j].astype(np.float64).reshape(28, 28)
    sums = {"top-left": grid[:14, :14].sum(), "top-right": grid[:14, 14:].sum(),
            "bottom-left": grid[14:, :14].sum(), "bottom-right": grid[14:, 14:].sum()}
    assert ex.answer == max(sums, key=sums.get)
    assert np.allclose(ex.images[0]["grid"], grid, atol=1e-4)  # the picture shown is that unit's weights
    assert check(ex, choice_letter(ex)).correct
    # Drawn 28×28 in colour in the lab, 14×14 in colour or in characters in a terminal: the prompt
    # claims neither, each front end prints its own legend.
    assert "red" not in ex.prompt and "blue" not in ex.prompt and "legend" in ex.prompt


@pytest.mark.parametrize("seed", SEEDS)
def test_sigmoid_value_is_sigma_of_the_units_real_z(small_net, images, seed):
    x, labels = images
    ex = generate("sigmoid-value", small_net, x, labels, seed)
    i, j = ex.facts["image"], ex.facts["unit"]
    z = x[i].astype(np.float64) @ small_net.weights[0][j].astype(np.float64) + small_net.biases[0][j]
    assert ex.facts["z"] == pytest.approx(z, abs=1e-4)
    assert f"{round(z, 2):.2f}" in ex.prompt
    assert ex.answer == pytest.approx(sigmoid(ex.facts["z_shown"]), abs=1e-9)
    assert abs(ex.answer - sigmoid(z)) < ex.tolerance  # the rounded z shown still gives the right activation
    assert check(ex, f"{sigmoid(z):.2f}").correct
    assert not check(ex, f"{sigmoid(z) + 0.05:.3f}").correct


@pytest.mark.parametrize("seed", SEEDS)
def test_bias_threshold_is_minus_the_bias(small_net, images, seed):
    ex = generate("bias-threshold", small_net, *images, seed)
    b = float(small_net.biases[ex.facts["layer"] - 1][ex.facts["unit"]])
    assert ex.answer == pytest.approx(-b, abs=6e-4)
    assert sigmoid(-b + b) == 0.5  # at w·x = −b the unit is exactly half active
    assert check(ex, f"{-b:.3f}").correct and not check(ex, f"{b + 0.5:.3f}").correct


@pytest.mark.parametrize("seed", range(8))
def test_count_parameters_matches_the_arrays(small_net, images, seed):
    ex = generate("count-parameters", small_net, *images, seed)
    l = ex.facts["layer"] - 1
    w, b = small_net.weights[l].size, small_net.biases[l].size
    assert ex.answer == {"weights": w, "biases": b}.get(ex.facts["what"], w + b)
    assert check(ex, f"{int(ex.answer):,}").correct  # "12,544" with a thousands comma
    assert not check(ex, str(int(ex.answer) + 1)).correct


@pytest.mark.parametrize("seed", SEEDS)
def test_cost_of_one_example_matches_numpy(small_net, images, seed):
    x, labels = images
    ex = generate("cost-one-example", small_net, x, labels, seed)
    i = ex.facts["image"]
    a = my_forward(small_net, x[i:i + 1])[0]
    y = np.eye(10)[labels[i]]
    cost = 0.5 * np.sum((a - y) ** 2)
    assert abs(ex.answer - cost) < ex.tolerance
    assert ex.facts["cost"] == pytest.approx(cost, rel=1e-4, abs=1e-6)
    assert check(ex, f"{cost:.4f}").correct


@pytest.mark.parametrize("seed", SEEDS)
def test_derivative_direction_agrees_with_finite_differences(small_net, images, seed):
    x, labels = images
    ex = generate("derivative-direction", small_net, x, labels, seed)
    f = ex.facts
    idx = np.array(f["batch"])
    fd = fd_derivative(small_net, x[idx], labels[idx], f["layer"] - 1, f["to"], f["from"])
    assert f["derivative"] == pytest.approx(fd, rel=0.02, abs=1e-6)
    assert ex.answer == ("increase" if fd < 0 else "decrease")
    assert check(ex, ex.answer).correct and not check(ex, "increase" if fd > 0 else "decrease").correct


@pytest.mark.parametrize("seed", SEEDS)
def test_overshoot_agrees_with_the_curve_computed_here(small_net, images, seed):
    x, labels = images
    ex = generate("overshoot", small_net, x, labels, seed)
    f = ex.facts
    idx = np.array(f["batch"])
    xb, yb = x[idx].astype(np.float64), labels[idx]
    l, to, frm = f["layer"] - 1, f["to"], f["from"]
    twin = small_net.copy(np.float64)
    values = np.array(ex.curve["values"])
    costs = []
    for v in values:
        twin.weights[l][to, frm] = v
        costs.append(twin.cost(xb, yb))
    assert np.allclose(costs, ex.curve["costs"], atol=1e-5)
    lowest = values[int(np.argmin(costs))]
    g = fd_derivative(small_net, x[idx], yb, l, to, frm)
    w = float(small_net.weights[l][to, frm])
    after = w - f["lr"] * g
    overshoots = np.sign(after - lowest) != np.sign(w - lowest)
    assert ex.answer == ("yes" if overshoots else "no")
    assert f"{f['lr']:g}" in ex.prompt


def test_overshoot_answers_both_ways(small_net, images):
    answers = {generate("overshoot", small_net, *images, seed).answer for seed in range(12)}
    assert answers == {"yes", "no"}


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_importance_is_the_largest_finite_difference(small_net, images, seed):
    x, labels = images
    ex = generate("gradient-importance", small_net, x, labels, seed)
    idx = np.array(ex.facts["batch"])
    fds = [fd_derivative(small_net, x[idx], labels[idx], w["layer"] - 1, w["to"], w["from"])
           for w in ex.facts["weights"]]
    assert ex.choices.index(ex.answer) == int(np.argmax(np.abs(fds)))
    for w, fd in zip(ex.facts["weights"], fds):
        assert w["derivative"] == pytest.approx(fd, rel=0.05, abs=1e-6)


@pytest.mark.parametrize("seed", SEEDS)
def test_which_image_is_the_one_with_the_highest_activation(small_net, images, seed):
    x, labels = images
    ex = generate("which-image", small_net, x, labels, seed)
    j, shown = ex.facts["unit"], ex.facts["images"]
    acts = sigmoid(x[shown].astype(np.float64) @ small_net.weights[0][j].astype(np.float64) + small_net.biases[0][j])
    assert ex.answer == f"image #{shown[int(np.argmax(acts))]}"
    for k, i in enumerate(shown):
        assert np.allclose(ex.images[k + 1]["grid"], x[i].reshape(28, 28), atol=1e-4)
    assert check(ex, choice_letter(ex)).correct


def test_new_numbers_each_time(small_net, images):
    prompts = {generate("derivative-direction", small_net, *images, seed).prompt for seed in range(6)}
    assert len(prompts) >= 5


# -- answers that cannot be judged ----------------------------------------------------------------

def test_bad_answers_are_clear_errors(small_net, images):
    number = generate("sigmoid-value", small_net, *images, 0)
    choice = generate("derivative-direction", small_net, *images, 0)
    for ex, text, words in [(number, "", "empty"), (number, "   ", "empty"), (number, "abc", "not a number"),
                            (number, "nan", "finite"), (choice, "", "empty"), (choice, "Z", "not one of")]:
        with pytest.raises(AnswerError) as info:
            check(ex, text)
        assert words in str(info.value) and "\n" not in str(info.value)
    assert parse_number("−0.03") == -0.03 and parse_number("12,544") == 12544 and parse_number("1e-3") == 0.001
    assert check(choice, choice.answer.upper()).correct and check(choice, choice_letter(choice).lower()).correct


# -- scheduling with a frozen clock -----------------------------------------------------------------

def test_new_items_come_in_deck_order_and_a_good_answer_waits(tmp_path):
    p = Progress(tmp_path / "s.db")
    order = [it.id for it in p.due_items(T0)]
    assert order[:3] == ["q1-features", "exercise:pixel-region", "q2-sigmoid"] and len(order) == len(p.items)
    card = p.review("q1-features", Rating.Good, now=T0)
    assert card.due == T0 + timedelta(minutes=10)  # second learning step
    assert p.next_item(T0).id == "exercise:pixel-region"
    assert "q1-features" not in [it.id for it in p.due_items(T0 + timedelta(minutes=9))]
    assert p.due_items(T0 + timedelta(minutes=11))[0].id == "q1-features"  # overdue reviews come before new items
    missed = p.review("exercise:pixel-region", "again", now=T0)
    assert missed.due == T0 + timedelta(minutes=1)  # a miss comes back soon


def test_known_history_gives_the_fsrs_schedule(tmp_path):
    """Good, Good, Good, Again, Good at each due date: the same due dates as FSRS computed by hand."""
    p = Progress(tmp_path / "s.db")
    ref_sched, ref = Scheduler(enable_fuzzing=False), Card(card_id=1, due=T0)
    now, gaps = T0, []
    for rating in [Rating.Good, Rating.Good, Rating.Good, Rating.Again, Rating.Good]:
        card = p.review("q6-weight", rating, now=now)
        ref, _ = ref_sched.review_card(ref, rating, review_datetime=now)
        assert card.due == ref.due and card.state == ref.state
        gaps.append(card.due - now)
        now = card.due
    assert gaps[0] == timedelta(minutes=10) and gaps[1] >= timedelta(days=1)
    assert gaps[2] > gaps[1]  # answered well again: away for longer
    assert gaps[3] == timedelta(minutes=10)  # forgotten: back soon (relearning)
    stats = {r["item"]: r for r in p.stats(now)["by_item"]}["q6-weight"]
    assert stats["reviews"] == 5 and stats["lapses"] == 1 and stats["streak"] == 1


def graduate(p, item, now):
    """Two Good answers: through the learning steps into the Review state."""
    c = p.review(item, Rating.Good, now=now)
    return p.review(item, Rating.Good, now=c.due)


def test_nothing_known_is_asked_before_it_is_due(tmp_path):
    p = Progress(tmp_path / "s.db")
    dues = [graduate(p, it.id, T0).due for it in p.items]
    first_due = min(dues)
    assert p.next_item(first_due - timedelta(seconds=1)) is None
    assert p.due_items(first_due - timedelta(seconds=1)) == []
    assert p.next_item(first_due) is not None


def test_mastery_of_a_half_seen_question_is_not_contradictory(tmp_path):
    """Right after a Good on question 1's card, its exercise still new: the row says what was seen
    (1 of 2, recalled, streak 1) and that it is due because the exercise is new, not 0 % and streak 0."""
    p = Progress(tmp_path / "s.db")
    p.review("q1-features", Rating.Good, now=T0)
    q1 = p.mastery(T0)["questions"][0]
    assert (q1["seen"], q1["items_total"]) == (1, 2)
    assert q1["recall"] == 1.0 and q1["streak"] == 1 and q1["learning"] and not q1["mastered"]
    assert q1["due_now"] and q1["due_items"] == ["exercise:pixel-region"] and q1["next_due"] == T0.isoformat()
    untouched = p.mastery(T0)["questions"][1]
    assert untouched["seen"] == 0 and untouched["recall"] == 0 and untouched["streak"] == 0
    assert untouched["due_items"] == ["q2-sigmoid", "exercise:sigmoid-value"]
    # The card's review falls due 10 minutes later: it is named first, before the new exercise.
    later = p.mastery(T0 + timedelta(minutes=11))["questions"][0]
    assert later["due_items"] == ["q1-features", "exercise:pixel-region"]
    # Both seen, the exercise missed: streak and recall are the weaker part's, due when it is.
    missed = p.review("exercise:pixel-region", Rating.Again, now=T0)
    q1 = p.mastery(T0 + timedelta(seconds=30))["questions"][0]
    assert q1["seen"] == 2 and q1["streak"] == 0 and not q1["due_now"] and q1["due_items"] == []
    assert q1["next_due"] == missed.due.isoformat()
    assert q1["recall"] == pytest.approx(p.retrievability(missed, T0 + timedelta(seconds=30)), abs=1e-4)


def test_mastery_rises_then_fades(tmp_path):
    p = Progress(tmp_path / "s.db")
    m = p.mastery(T0)
    assert m["mastered"] == 0 and all(q["recall"] == 0 for q in m["questions"])
    for it in p.items:
        if it.question == 1:
            last = graduate(p, it.id, T0)
    q1 = p.mastery(last.last_review)["questions"][0]
    assert q1["mastered"] and q1["recall"] == 1.0 and q1["streak"] == 2 and not q1["due_now"]
    later = p.mastery(last.last_review + timedelta(days=400))["questions"][0]
    assert later["recall"] < 0.9 and not later["mastered"] and later["due_now"]
    # FSRS's own retrievability for the card, at that time
    card, _ = p.card("q1-features")
    assert min(p.scheduler.get_card_retrievability(p.card(it.id)[0], last.last_review + timedelta(days=400))
               for it in p.items if it.question == 1) == pytest.approx(later["recall"], abs=1e-4)
    assert card.state.name == "Review"


# -- the file: restarts, concurrency, crashes, corruption --------------------------------------------

def test_progress_survives_a_restart(tmp_path):
    path = tmp_path / "s.db"
    with Progress(path) as p:
        card = p.review("q3-bias", Rating.Hard, now=T0)
    with Progress(path) as p:
        again, streak = p.card("q3-bias")
        assert again.to_dict() == card.to_dict() and streak == 1
        assert p.stats(T0)["reviews"] == 1


def test_two_connections_in_two_threads_share_one_file(tmp_path):
    path = tmp_path / "s.db"
    terminal, lab = Progress(path), Progress(path)
    errors = []

    def answer(p, item):
        try:
            for k in range(25):
                p.review(item, Rating.Good if k % 3 else Rating.Again, now=T0 + timedelta(minutes=k))
                p.review("q5-cost", Rating.Good, now=T0 + timedelta(minutes=k))  # both write the same card too
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(terminal, "q1-features")),
               threading.Thread(target=answer, args=(lab, "exercise:overshoot"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stats = {r["item"]: r for r in Progress(path).stats(T0)["by_item"]}
    assert stats["q1-features"]["reviews"] == 25 and stats["exercise:overshoot"]["reviews"] == 25
    assert stats["q5-cost"]["reviews"] == 50  # no lost update
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_crash_mid_answer_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    p = Progress(tmp_path / "s.db")
    p.review("q2-sigmoid", Rating.Good, now=T0)
    before = p.stats(T0)

    def crash(*args, **kwargs):
        raise ValueError("power cut")

    monkeypatch.setattr(p.scheduler, "review_card", crash)
    with pytest.raises(StudyDatabaseError):
        p.review("q2-sigmoid", Rating.Easy, now=T0 + timedelta(minutes=10))
    assert p.stats(T0) == before
    monkeypatch.undo()
    p.review("q2-sigmoid", Rating.Good, now=T0 + timedelta(minutes=10))  # and the file still works
    assert p.stats(T0)["reviews"] == 2


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_a_corrupted_file_is_reported_and_never_replaced(tmp_path, content):
    path = tmp_path / "s.db"
    path.write_bytes(content)
    with pytest.raises(StudyDatabaseError) as info:
        Progress(path)
    message = str(info.value)
    assert str(path) in message and "untouched" in message and "\n" not in message
    assert path.read_bytes() == content


def test_someone_elses_database_is_not_touched(tmp_path):
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (n INTEGER)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StudyDatabaseError, match="not a glassnet study database"):
        Progress(path)
    assert path.read_bytes() == before


def test_reading_a_missing_file_does_not_create_it(tmp_path):
    path = tmp_path / "not-yet" / "s.db"
    with Progress(path, read_only=True) as p:
        stats, mastery = p.stats(T0), p.mastery(T0)
        assert stats["reviews"] == 0 and stats["due_now"] == stats["items"] and stats["db"] == str(path)
        assert mastery["mastered"] == 0 and all(q["seen"] == 0 for q in mastery["questions"])
        with pytest.raises(StudyDatabaseError, match="read-only"):
            p.review("q1-features", Rating.Good, now=T0)
    assert not path.exists() and not path.parent.exists()
    with Progress(path) as p:  # writing creates it, and read-only then reads what was written
        p.review("q1-features", Rating.Good, now=T0)
    with Progress(path, read_only=True) as p:
        assert p.stats(T0)["reviews"] == 1


def test_a_folder_is_not_a_progress_file(tmp_path):
    with pytest.raises(StudyDatabaseError, match="folder"):
        Progress(tmp_path)


# -- the session logic shared by the terminal and the lab -------------------------------------------

def test_study_session_turns_right_and_wrong_into_ratings(tmp_path, small_net, images):
    study = Study(Progress(tmp_path / "s.db"), small_net, images=images, seed=0)
    first = study.ask(T0)
    assert first.item.id == "q1-features" and first.exercise is None
    study.grade_question(first, "good", "weights pick out a pattern", now=T0)
    ex = study.ask(T0)
    assert ex.item.id == "exercise:pixel-region"
    with pytest.raises(AnswerError):
        study.answer_exercise(ex, "", now=T0)  # nothing recorded for an empty answer
    assert study.progress.stats(T0)["reviews"] == 1
    verdict, schedule = study.answer_exercise(ex, choice_letter(ex.exercise), now=T0)
    assert verdict.correct and schedule["rating"] == "Good" and schedule["due_in_seconds"] == 600
    wrong = study.ask(T0)  # q2 card; then its exercise answered wrongly
    study.grade_question(wrong, 1, "?", now=T0)
    ex2 = study.ask(T0)
    v2, s2 = study.answer_exercise(ex2, "5", now=T0)  # σ(z) is never 5
    assert not v2.correct and s2["rating"] == "Again" and s2["due_in_seconds"] == 60
    assert study.progress.stats(T0)["exercises_answered"] == 2 and study.progress.stats(T0)["exercises_correct"] == 1


def test_an_untrained_network_still_gets_a_session(tmp_path, images):
    """Fresh random weights: every type either draws a fair exercise or is left due, never a crash."""
    from glassnet.network import Network

    net = Network((784, 16, 16, 10), seed=3)
    study = Study(Progress(tmp_path / "s.db"), net, images=images, seed=0)
    kinds = []
    skip = set()
    while (asked := study.ask(T0, skip=skip)) is not None:
        skip.add(asked.item.id)
        kinds.append(asked.item.kind)
        if asked.exercise is not None:
            assert check(asked.exercise, choice_letter(asked.exercise) if asked.exercise.kind == "choice"
                         else str(asked.exercise.answer)).correct
    assert kinds.count("question") == 8 and kinds.count("exercise") >= 8


def test_every_card_names_a_command_that_runs(small_model_path, tmp_path):
    """The demonstration a card points to must work as printed (on the user's model, here a small one)."""
    import json
    import shlex

    from typer.testing import CliRunner

    from glassnet.cli import app

    for card in load_deck():
        words = shlex.split(card.inspect)
        assert words[:2] == ["glassnet", "inspect"], card.inspect
        args = words[1:] + [str(small_model_path), "--json", "--out", str(tmp_path / f"{card.id}.png")]
        if words[2] not in ("count", "first-layer"):
            args += ["--samples", "200"]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (card.inspect, result.output)
        assert json.loads(result.stdout)["answer"], card.inspect


@pytest.mark.parametrize("kind", ["pixel-region", "bias-threshold", "derivative-direction"])
def test_see_it_points_at_the_exercise_own_unit_or_weight(small_net, mnist, kind):
    from glassnet.study.progress import Item
    from glassnet.study.session import Asked

    x, labels = mnist.test.x[:200], mnist.test.labels[:200]
    exercise = generate(kind, small_net, x, labels, rng=3)
    asked = Asked("t", Item(f"exercise:{kind}", "exercise", exercise.question, 0), exercise)
    command, f = asked.links()["inspect"], exercise.facts
    if "unit" in f:
        assert f"--layer {f['layer']} --unit {f['unit']}" in command
    else:
        assert command.endswith(f"inspect weight {f['layer']} {f['to']} {f['from']}")
    assert asked.to_dict()["card"]["inspect"] == command
