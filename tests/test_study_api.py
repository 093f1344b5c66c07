"""The Study tab's API: same deck and file as the terminal, validated requests, concurrent use."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from glassnet.study import Progress
from glassnet.study.exercises import LETTERS
from glassnet.web.study_api import router
from helpers import serve


@pytest.fixture()
def app(tmp_path, small_net):
    app = FastAPI()
    app.include_router(router)
    app.state.net = small_net
    app.state.study_db = tmp_path / "study.sqlite3"
    return app


@pytest.fixture()
def client(app):
    return TestClient(app)


def test_question_card_reveal_then_self_grade(client, app):
    card = client.get("/api/study/next").json()
    assert card["done"] is False and card["item"] == "q1-features" and card["kind"] == "question"
    assert card["card"]["inspect"].startswith("glassnet inspect features") and card["card"]["lab"] == "Draw"
    revealed = client.post("/api/study/reveal", json={"token": card["token"]}).json()
    assert "weighted sum" in revealed["model_answer"]
    empty = client.post("/api/study/answer", json={"token": card["token"], "answer": " ", "rating": 3})
    assert empty.status_code == 400 and "empty" in empty.json()["error"]
    no_rating = client.post("/api/study/answer", json={"token": card["token"], "answer": "a pattern"})
    assert no_rating.status_code == 400 and "rating" in no_rating.json()["error"]
    bad_rating = client.post("/api/study/answer", json={"token": card["token"], "answer": "a pattern", "rating": 7})
    assert bad_rating.status_code == 400 and "rating" in bad_rating.json()["error"]
    done = client.post("/api/study/answer", json={"token": card["token"], "answer": "a pattern", "rating": "good"})
    assert done.status_code == 200
    body = done.json()
    assert body["schedule"]["rating"] == "Good" and body["schedule"]["due_in_seconds"] == 600
    again = client.post("/api/study/answer", json={"token": card["token"], "answer": "x", "rating": 3})
    assert again.status_code == 400 and "no open study item" in again.json()["error"]  # one answer per asking
    with Progress(app.state.study_db) as p:  # the terminal sees what the lab recorded
        assert p.card("q1-features")[0].due.isoformat() == body["schedule"]["due"]


def test_exercise_is_checked_by_the_server(client, small_net):
    client.get("/api/study/next")  # q1 card, left unanswered: skip it
    ex = client.get("/api/study/next?skip=q1-features").json()
    assert ex["item"] == "exercise:pixel-region" and len(ex["exercise"]["images"][0]["grid"]) == 28
    assert "answer" not in ex["exercise"]  # the answer is not handed out with the question
    unit = ex["exercise"]["facts"]["unit"]
    grid = small_net.weights[0][unit].reshape(28, 28).astype(np.float64)
    sums = [grid[:14, :14].sum(), grid[:14, 14:].sum(), grid[14:, :14].sum(), grid[14:, 14:].sum()]
    right = LETTERS[int(np.argmax(sums))]
    wrong = LETTERS[(int(np.argmax(sums)) + 1) % 4]
    for bad, words in [("", "empty"), ("Q", "not one of")]:
        r = client.post("/api/study/answer", json={"token": ex["token"], "answer": bad})
        assert r.status_code == 400 and words in r.json()["error"]
    r = client.post("/api/study/answer", json={"token": ex["token"], "answer": right}).json()
    assert r["verdict"]["correct"] and r["schedule"]["rating"] == "Good" and r["explanation"]
    ex2 = client.get("/api/study/next?skip=q1-features,exercise:pixel-region").json()
    assert ex2["item"] == "q2-sigmoid"
    stats = client.get("/api/study/stats").json()
    assert stats["reviews"] == 1 and stats["exercises_correct"] == 1
    assert wrong != right


def test_numeric_exercise_rejects_non_numbers(client, app):
    with Progress(app.state.study_db) as p:
        for item in ("q1-features", "exercise:pixel-region", "q2-sigmoid"):
            p.review(item, "good")
    ex = client.get("/api/study/next").json()
    assert ex["item"] == "exercise:sigmoid-value" and ex["exercise"]["kind"] == "number"
    r = client.post("/api/study/answer", json={"token": ex["token"], "answer": "about a half"})
    assert r.status_code == 400 and "not a number" in r.json()["error"]
    z = ex["exercise"]["facts"]["z_shown"]
    r = client.post("/api/study/answer", json={"token": ex["token"], "answer": f"{1 / (1 + np.exp(-z)):.3f}"}).json()
    assert r["verdict"]["correct"]


@pytest.mark.parametrize("body,status,words", [
    (b"{not json", 400, "not valid JSON"), (b"[1, 2]", 400, "JSON object"), (b'{"answer": "x"}', 422, "token"),
    (b'{"token": 5}', 422, "wrong type"), (b'{"token": "abc", "extra": 1}', 422, "unknown field"),
    (b'{"token": "abc", "answer": "1"}', 400, "no open study item"),
    (b'{"token": "' + b"x" * 20000 + b'"}', 413, "too large")])
def test_bad_requests_are_4xx_json(client, body, status, words):
    r = client.post("/api/study/answer", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == status and words in r.json()["error"]


def test_no_network_is_503_but_progress_still_readable(tmp_path):
    app = FastAPI()
    app.include_router(router)
    app.state.study_db = tmp_path / "s.db"
    c = TestClient(app)
    r = c.get("/api/study/next")
    assert r.status_code == 503 and "no network" in r.json()["error"]
    assert c.get("/api/study/mastery").json()["of"] == 8


def test_missing_study_db_falls_back_to_the_default_file(tmp_path, monkeypatch, small_net):
    import glassnet.study.progress as progress

    monkeypatch.setattr(progress, "default_db_path", lambda: tmp_path / "default.sqlite3")
    app = FastAPI()
    app.include_router(router)
    app.state.net = small_net  # no study_db at all
    assert TestClient(app).get("/api/study/stats").json()["db"] == str(tmp_path / "default.sqlite3")


def test_corrupted_file_is_a_json_error_and_left_alone(tmp_path, small_net):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"\x00garbage" * 500)
    app = FastAPI()
    app.include_router(router)
    app.state.net, app.state.study_db = small_net, bad
    r = TestClient(app).get("/api/study/mastery")
    assert r.status_code == 500 and "cannot be used" in r.json()["error"]
    assert bad.read_bytes() == b"\x00garbage" * 500


def test_terminal_and_lab_at_the_same_time(client, app):
    """A terminal Progress writing in a thread while the lab answers through the API: nothing lost."""
    errors = []

    def terminal():
        try:
            with Progress(app.state.study_db) as p:
                for k in range(30):
                    p.review("q8-first-layer", "good" if k % 2 else "hard")
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    t = threading.Thread(target=terminal)
    t.start()
    answered = 0
    for _ in range(6):
        card = client.get("/api/study/next?skip=q8-first-layer").json()
        if card["kind"] == "question":
            r = client.post("/api/study/answer", json={"token": card["token"], "answer": "?", "rating": 1})
        else:
            r = client.post("/api/study/answer", json={"token": card["token"], "answer": "A" if card["exercise"]["choices"] else "0"})
        assert r.status_code == 200, r.json()
        answered += 1
    t.join()
    assert errors == []
    stats = client.get("/api/study/stats").json()
    assert stats["reviews"] == 30 + answered


def test_the_lab_app_serves_the_study_tab(tmp_path, small_model_path):
    web = pytest.importorskip("glassnet.web.app")
    db = tmp_path / "lab.sqlite3"  # never the user's real file in a test (`glassnet lab --study-db`)
    app = web.create_app(model_path=small_model_path, runs_dir=tmp_path / "runs", study_db=db)
    c = TestClient(app)
    r = c.get("/api/study/next")
    assert r.status_code == 200 and r.json()["item"] == "q1-features"
    token = r.json()["token"]
    assert c.post("/api/study/answer", json={"token": token, "answer": "edges", "rating": 3}).status_code == 200
    with Progress(db) as p:  # the answer went into the file the lab was given
        assert p.stats()["reviews"] == 1
    assert c.get("/static/study.js").status_code == 200
    assert "/static/study.js" in c.get("/").text


# -- the Study tab in a real browser -------------------------------------------------------------------

@pytest.mark.browser
def test_study_tab_in_chromium(small_model_path, tmp_path, output_dir):
    from pathlib import Path

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    from glassnet.web.app import create_app

    app = create_app(small_model_path, tmp_path / "runs")
    app.state.study_db = tmp_path / "browser.sqlite3"
    errors = []
    with serve(app) as url:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url + "#study")
            page.wait_for_selector("#view-study textarea", timeout=20_000)
            page.click("#view-study button.primary")  # reveal with an empty answer: told to write first
            assert "Write what you think first" in page.inner_text("#view-study")
            page.fill("#view-study textarea", "it responds to a pattern of bright pixels")
            page.click("#view-study button.primary")
            page.wait_for_selector(".study-grades button")
            page.click(".study-grades button[data-rating='3']")
            page.wait_for_selector("text=Rated Good")
            page.screenshot(path=str(output_dir / "study-tab-question.png"), full_page=True)
            # The mastery table after that Good: what was seen, and why question 1 is still due.
            page.wait_for_selector("#study-mastery td:text-is('1 of 2')")
            row = page.inner_text("#study-mastery tbody tr >> nth=0")
            assert "100 % (learning)" in row and "now (new: pixel-region)" in row, row
            assert "1 answer so far" in page.inner_text("#study-mastery")
            # "the Draw tab" is a link that opens it; back to Study, the card is still there.
            page.click("#view-study a.study-tab-link:text-is('Draw')")
            assert page.locator("#view-draw").is_visible() and not page.locator("#view-study").is_visible()
            page.click("#tab-study")
            page.click("#view-study button:text-is('Next')")
            page.wait_for_selector(".study-choice input")
            page.click("#view-study form button.primary")  # no choice yet: a clear message
            page.wait_for_selector("text=the answer is empty")
            page.check(".study-choice input >> nth=0")
            page.click("#view-study form button.primary")
            page.wait_for_selector("#view-study .verdict")
            assert "blue positive, red negative" in page.inner_text("#view-study .study-legend")
            page.screenshot(path=str(output_dir / "study-tab-exercise.png"), full_page=True)
            assert "How sure you are" in page.inner_text("#view-study")
            browser.close()
    assert not errors, errors
    with Progress(app.state.study_db) as p:
        assert p.stats()["reviews"] == 2
