"""The Study tab's JSON API: the same deck, exercises and progress file as `glassnet study`.

    GET  /api/study/next[?skip=id,id]  the next due card or exercise ({"done": true, ...} if none)
    POST /api/study/reveal  {"token"}                       a question card's model answer (records nothing)
    POST /api/study/answer  {"token", "answer", "rating"?}  exercise: checked, Good/Again;
                                                            question: self-graded with "rating" (1-4 or again..easy)
    GET  /api/study/stats                                  every card's FSRS state
    GET  /api/study/mastery                                per question: recall probability, streak, next due

The lab sets `app.state.net` (the Network on show) and `app.state.study_db` (a Path, or None for
the default file). Missing either, we fall back to `app.state.lab.net` and the default file; with
no network at all, /next answers 503. Every bad request is a 4xx `{"error": "..."}`.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..errors import GlassnetError
from ..study.exercises import AnswerError
from ..study.progress import Progress, StudyDatabaseError
from ..study.session import Study, model_answer

router = APIRouter(prefix="/api/study", tags=["study"])
_lock = threading.Lock()  # one sqlite connection per app, one request at a time on it (answers are short)
MAX_BODY = 16_384


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _net(request: Request):
    state = request.app.state
    net = getattr(state, "net", None)
    if net is None and getattr(state, "lab", None) is not None:
        net = getattr(state.lab, "net", None)
    return net


def _study(request: Request) -> Study:
    """The app's Study (one per progress file), pointed at the network on show right now."""
    state = request.app.state
    db = getattr(state, "study_db", None)
    db = Path(db) if db is not None else None
    cached = getattr(state, "_study", None)
    if cached is None or cached[0] != db:
        if cached is not None:
            cached[1].progress.close()
        cached = (db, Study(Progress(db), None))
        state._study = cached
    study = cached[1]
    study.net = _net(request)  # the lab may have trained or loaded another network since
    return study


async def _run(request: Request, work, *args):
    """Run `work(study, *args)` off the event loop, turning our errors into JSON."""
    def guarded():
        with _lock:
            return work(_study(request), *args)
    try:
        return await run_in_threadpool(guarded)
    except StudyDatabaseError as exc:
        return _error(500, str(exc))
    except GlassnetError as exc:
        return _error(400, str(exc))


async def _body(request: Request, fields: dict) -> dict | JSONResponse:
    """The JSON object body, checked: known fields only, the right types, sane lengths."""
    raw = await request.body()
    if len(raw) > MAX_BODY:
        return _error(413, f"request body too large (over {MAX_BODY} bytes)")
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        return _error(400, "the request body is not valid JSON")
    if not isinstance(data, dict):
        return _error(400, "the request body must be a JSON object")
    unknown = set(data) - set(fields)
    if unknown:
        return _error(422, f"unknown field(s): {', '.join(sorted(unknown))}")
    for name, (types, required) in fields.items():
        if name not in data or data[name] is None:
            if required:
                return _error(422, f"{name}: this field is required")
            continue
        if not isinstance(data[name], types) or isinstance(data[name], bool):
            return _error(422, f"{name}: wrong type")
        if isinstance(data[name], str) and len(data[name]) > 4000:
            return _error(422, f"{name}: too long")
    return data


@router.get("/next")
async def next_card(request: Request, skip: str = ""):
    skip_ids = {s for s in skip.split(",") if s} if len(skip) <= 2000 else None
    if skip_ids is None:
        return _error(422, "skip: too long")
    if _net(request) is None:
        return _error(503, "no network loaded: train one or open a model in the lab first")

    def work(study: Study):
        asked = study.ask(skip=skip_ids)
        if asked is None:
            stats = study.progress.stats()
            return {"done": True, "next_due": stats["next_due"], "due_now": stats["due_now"]}
        return {"done": False, **asked.to_dict()}
    return await _run(request, work)


@router.post("/reveal")
async def reveal(request: Request):
    data = await _body(request, {"token": (str, True)})
    if isinstance(data, JSONResponse):
        return data

    def work(study: Study):
        asked = study.lookup(data["token"])
        if asked.exercise is not None:
            raise AnswerError("an exercise's answer is revealed when you submit yours")
        return {"item": asked.item.id, "model_answer": model_answer(asked.item), **asked.links()}
    return await _run(request, work)


@router.post("/answer")
async def answer(request: Request):
    data = await _body(request, {"token": (str, True), "answer": (str, False), "rating": ((int, str), False)})
    if isinstance(data, JSONResponse):
        return data

    def work(study: Study):
        asked = study.lookup(data["token"])
        text = data.get("answer") or ""
        result = {"item": asked.item.id, "kind": asked.item.kind, "question": asked.item.question,
                  **asked.links()}
        if asked.exercise is not None:
            verdict, schedule = study.answer_exercise(asked, text)
            result.update(verdict=verdict.to_dict(), answer=asked.exercise.answer_text(),
                          explanation=asked.exercise.explanation, schedule=schedule)
        else:
            if not text.strip():
                raise AnswerError("the answer is empty: write what you think first (or '?')")
            if data.get("rating") is None:
                raise AnswerError("rating: grade yourself 1-4 (again, hard, good, easy) after reading the model answer")
            schedule = study.grade_question(asked, data["rating"], text)
            result.update(verdict=None, answer=model_answer(asked.item), explanation=None, schedule=schedule)
        return result
    return await _run(request, work)


@router.get("/stats")
async def stats(request: Request):
    return await _run(request, lambda study: study.progress.stats())


@router.get("/mastery")
async def mastery(request: Request):
    return await _run(request, lambda study: study.progress.mastery())
