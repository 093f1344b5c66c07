// The Study tab: the eight questions and exercises from the live network, spaced by FSRS.
// Same deck and same progress file as `glassnet study`; every answer goes to /api/study.
// Plain JS, no libraries. Renders into <section id="view-study">.
(function () {
  "use strict";
  const view = document.getElementById("view-study");
  if (!view) return;
  const LETTERS = "ABCDEFGH";
  // The few styles of this tab (the lab's stylesheet is shared; these only touch study-* classes).
  document.head.append(Object.assign(document.createElement("style"), { textContent: `
    #view-study .study-choices { display: flex; flex-direction: column; gap: .35rem; margin: .5rem 0 .8rem; }
    #view-study .study-choice { display: flex; align-items: center; gap: .5rem; cursor: pointer; font-size: 1rem; }
    #view-study .study-choice input { width: auto; margin: 0; }
    #view-study .study-images { display: flex; flex-wrap: wrap; gap: 1rem; margin: .5rem 0; }
    #view-study .study-figure { margin: 0; text-align: center; }
    #view-study .study-curve { color: inherit; max-width: 100%; margin: .5rem 0; }
    #view-study .study-prompt { font-size: 1.05rem; }
    #view-study #study-answer { max-width: 40rem; }
    #view-study .neg-text { color: #e66; }
    #view-study a.study-tab-link { color: var(--accent); }` }));
  let current = null;       // the card or exercise on screen (from /api/study/next)
  const seen = new Set();   // items asked in this visit: one pass through what is due

  function h(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const k of kids) if (k != null) e.append(k);
    return e;
  }

  async function call(method, path, body) {
    const res = await fetch(path, {
      method, headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    let data = {};
    try { data = await res.json(); } catch (e) { data = { error: "the server sent no JSON (" + res.status + ")" }; }
    if (!res.ok) throw new Error(data.error || ("HTTP " + res.status));
    return data;
  }

  // A 28x28 grid on a canvas: pixels grey, weights blue (+) / red (-) on a scale symmetric about 0, as in the lab's other tabs.
  function gridCanvas(im) {
    const c = h("canvas", { width: 28, height: 28, class: "study-grid", title: im.caption });
    c.style.width = "168px"; c.style.height = "168px"; c.style.imageRendering = "pixelated";
    const ctx = c.getContext("2d"), img = ctx.createImageData(28, 28);
    let m = 0;
    for (const row of im.grid) for (const v of row) m = Math.max(m, Math.abs(v));
    m = m || 1;
    im.grid.forEach((row, r) => row.forEach((v, col) => {
      const i = 4 * (r * 28 + col);
      let R, G, B;
      if (im.kind === "weights") {
        const t = Math.min(1, Math.abs(v) / m);
        [R, G, B] = v > 0 ? [255 * (1 - t), 255 * (1 - t), 255] : [255, 255 * (1 - t), 255 * (1 - t)];
      } else { R = G = B = 255 * Math.min(1, Math.max(0, v)); }
      img.data.set([R, G, B, 255], i);
    }));
    ctx.putImageData(img, 0, 0);
    return h("figure", { class: "study-figure" }, c, h("figcaption", { text: im.caption }));
  }

  // A weight's cost curve: the curve, where w is now (W) and the curve's lowest point (L).
  function curveSvg(curve) {
    const W = 420, H = 190, P = 34, xs = curve.values, ys = curve.costs;
    const x0 = xs[0], x1 = xs[xs.length - 1], y0 = Math.min(...ys), y1 = Math.max(...ys);
    const X = (v) => P + (W - 2 * P) * (v - x0) / (x1 - x0 || 1);
    const Y = (v) => H - P - (H - 2 * P) * (v - y0) / (y1 - y0 || 1);
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`); svg.setAttribute("class", "study-curve");
    svg.setAttribute("width", W); svg.setAttribute("height", H);
    const add = (tag, attrs, text) => {
      const e = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      if (text) e.textContent = text;
      svg.append(e); return e;
    };
    add("path", { d: xs.map((v, i) => (i ? "L" : "M") + X(v).toFixed(1) + " " + Y(ys[i]).toFixed(1)).join(" "),
                  fill: "none", stroke: "currentColor", "stroke-width": 2 });
    for (const [v, label, color] of [[curve.current, "W (now)", "#d33"], [curve.lowest, "L (lowest)", "#27a"]]) {
      add("line", { x1: X(v), x2: X(v), y1: P - 4, y2: H - P, stroke: color, "stroke-dasharray": "4 3" });
      add("text", { x: X(v) + 3, y: P + (label[0] === "L" ? 12 : 0), fill: color, "font-size": 12 }, label);
    }
    add("text", { x: P, y: H - 8, "font-size": 11 }, "w = " + x0.toFixed(2));
    add("text", { x: W - P - 60, y: H - 8, "font-size": 11 }, "w = " + x1.toFixed(2));
    add("text", { x: 2, y: 12, "font-size": 11 }, "cost C(w), all other weights fixed");
    return svg;
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function dueText(s) {
    const sec = s.due_in_seconds;
    if (sec < 3600) return "in " + Math.max(1, Math.round(sec / 60)) + " min";
    if (sec < 2 * 86400) return "in " + Math.round(sec / 3600) + " h";
    return "in " + plural(Math.round(sec / 86400), "day");
  }

  // When a question is next due; if now, which of its items and why (a review fell due, or new).
  function questionDue(q) {
    if (!q.due_now) return q.next_due.slice(0, 16).replace("T", " ");
    const reviewed = Object.fromEntries(q.items.map((p) => [p.item, p.reviewed]));
    const groups = { review: [], new: [] };
    for (const id of q.due_items) groups[reviewed[id] ? "review" : "new"].push(id.includes(":") ? id.split(":")[1] : "card");
    return "now (" + Object.entries(groups).filter(([, names]) => names.length)
      .map(([why, names]) => why + ": " + names.join(", ")).join("; ") + ")";
  }

  function panel(...kids) { return h("div", { class: "panel study-panel" }, ...kids); }

  async function showMastery(into) {
    try {
      const m = await call("GET", "/api/study/mastery");
      // Recall and streak are over the items seen; with none seen there is nothing to measure yet.
      const rows = m.questions.map((q) => h("tr", {},
        h("td", { text: q.question }), h("td", { text: q.title }),
        h("td", { text: `${q.seen} of ${q.items_total}` }),
        h("td", { class: "num", text: q.seen ? Math.round(100 * q.recall) + " %" + (q.learning ? " (learning)" : "") : "–" }),
        h("td", { class: "num", text: q.seen ? q.streak : "–" }),
        h("td", { text: questionDue(q) }),
        h("td", { text: q.mastered ? "✓" : "" })));
      into.replaceChildren(h("h3", { text: `How sure you are: ${m.mastered} of ${m.of} questions mastered` }),
        h("table", { class: "table study-mastery" },
          h("thead", {}, h("tr", {}, ...["#", "question", "seen", "recall", "streak", "next due", "mastered"].map((t) => h("th", { text: t })))),
          h("tbody", {}, ...rows)),
        h("p", { class: "hint", text: `${plural(m.reviews, "answer")} so far, ${m.due_now} due now. Recall = FSRS's probability that you still know the items seen.` }));
    } catch (e) { into.replaceChildren(h("p", { class: "status", text: e.message })); }
  }

  async function next() {
    const card = h("div", { id: "study-card" }, h("p", { class: "hint", text: "Loading…" }));
    const mastery = h("div", { id: "study-mastery" });
    view.replaceChildren(panel(h("h2", { text: "Study" }),
      h("p", { class: "hint", text: "The eight questions, and exercises built from your own network. Spaced repetition (FSRS): what you know well comes back later, what you miss comes back soon." }),
      card), panel(mastery));
    showMastery(mastery);
    try {
      current = await call("GET", "/api/study/next?skip=" + encodeURIComponent([...seen].join(",")));
    } catch (e) {
      card.replaceChildren(h("p", { class: "status", text: e.message }),
        h("button", { onclick: next, text: "Try again" }));
      return;
    }
    if (current.done) {
      card.replaceChildren(h("p", { text: "Nothing is due: everything you know is scheduled." +
        (current.next_due ? " Next card due " + current.next_due.slice(0, 16).replace("T", " ") + " UTC." : "") }),
        h("button", { onclick: () => { seen.clear(); next(); }, text: "Check again" }));
      return;
    }
    seen.add(current.item);
    (current.exercise ? renderExercise : renderQuestion)(card, current);
  }

  function header(c) {
    return h("p", { class: "sub", text: `Question ${c.question}: ${c.card.title} — ${c.kind === "exercise" ? "exercise " + c.exercise.type : "card"}` });
  }

  // The lab tab a card names (deck.toml's `lab`: the tab button's text) as a link that opens it.
  function tabLink(name) {
    const tab = [...document.querySelectorAll(".tab")].find((t) => t.textContent.trim() === name);
    if (!tab) return name;
    return h("a", { href: "#" + tab.dataset.view, class: "study-tab-link", text: name,
                    onclick: (ev) => { ev.preventDefault(); tab.click(); } });
  }

  function links(c) {
    return h("p", { class: "hint" }, "See it: ", h("code", { text: c.inspect || c.card.inspect }),
      " in a terminal, or the ", tabLink(c.lab || c.card.lab), " tab.");
  }

  function renderQuestion(card, c) {
    const ta = h("textarea", { rows: 4, id: "study-answer", placeholder: "Your answer, in your own words ('?' if you don't know)" });
    ta.style.width = "100%";
    const msg = h("p", { class: "status" });
    const reveal = h("button", { class: "primary", text: "Show the model answer" });
    reveal.onclick = async () => {
      if (!ta.value.trim()) { msg.textContent = "Write what you think first (or '?'): it is what makes it stick."; return; }
      try {
        const r = await call("POST", "/api/study/reveal", { token: c.token });
        msg.textContent = "";
        reveal.disabled = true; ta.readOnly = true;
        const grades = h("div", { class: "row study-grades" }, h("span", { text: "How well did you know it? " }),
          ...["Again", "Hard", "Good", "Easy"].map((g, i) => h("button", { "data-rating": i + 1, text: `${i + 1} ${g}`,
            onclick: () => grade(card, c, ta.value, i + 1) })));
        card.append(h("div", { class: "study-model" }, h("h3", { text: "Model answer" }), h("p", { text: r.model_answer })),
          links(r), grades);
      } catch (e) { msg.textContent = e.message; }
    };
    card.replaceChildren(header(c), h("p", { class: "study-prompt", style: "white-space: pre-wrap", text: c.prompt }), ta, reveal, msg);
    ta.focus();
  }

  async function grade(card, c, text, rating) {
    try {
      const r = await call("POST", "/api/study/answer", { token: c.token, answer: text, rating });
      card.querySelectorAll(".study-grades button").forEach((b) => { b.disabled = true; });
      showMastery(document.getElementById("study-mastery"));
      card.append(h("p", { class: "verdict", text: `Rated ${r.schedule.rating}: next time ${dueText(r.schedule)}.` }),
        h("button", { class: "primary", onclick: next, text: "Next" }));
    } catch (e) { card.append(h("p", { class: "status", text: e.message })); }
  }

  function renderExercise(card, c) {
    const ex = c.exercise;
    const figs = ex.images.length ? h("div", { class: "row study-images" }, ...ex.images.map(gridCanvas)) : null;
    // The prompt leaves how the pictures are drawn to each front end: here, one square per weight.
    const legend = ex.images.some((im) => im.kind === "weights")
      ? h("p", { class: "hint study-legend", text: "Weights: 28×28, one square per pixel's weight; blue positive, red negative, white near 0." }) : null;
    const msg = h("p", { class: "status" });
    let input;
    if (ex.kind === "choice") {
      input = h("div", { class: "study-choices" }, ...ex.choices.map((ch, i) =>
        h("label", { class: "study-choice" }, h("input", { type: "radio", name: "study-choice", value: LETTERS[i] }),
          ` ${LETTERS[i]}) ${ch}`)));
    } else {
      input = h("input", { type: "text", id: "study-answer", inputmode: "decimal", placeholder: "a number", autocomplete: "off" });
    }
    const submit = h("button", { class: "primary", text: "Check" });
    const form = h("form", { class: "form", autocomplete: "off" }, input, submit, msg);
    form.onsubmit = async (ev) => {
      ev.preventDefault();
      const answer = ex.kind === "choice" ? (form.querySelector("input:checked") || {}).value || "" : input.value;
      try {
        const r = await call("POST", "/api/study/answer", { token: c.token, answer });
        submit.disabled = true; msg.textContent = "";
        form.querySelectorAll("input").forEach((i) => { i.disabled = true; });
        showMastery(document.getElementById("study-mastery"));
        card.append(h("p", { class: "verdict " + (r.verdict.correct ? "pos-text" : "neg-text"), text: r.verdict.message }),
          h("p", { class: "hint", text: r.explanation }), links(r),
          h("p", { text: `Next time ${dueText(r.schedule)}.` }),
          h("button", { class: "primary", onclick: next, text: "Next" }));
      } catch (e) { msg.textContent = e.message; }  // empty or not a number: say so, let them retry
    };
    card.replaceChildren(...[header(c), h("p", { class: "study-prompt", style: "white-space: pre-wrap", text: ex.prompt }), figs, legend,
      ex.curve ? curveSvg(ex.curve) : null, form].filter((k) => k != null));
  }

  // Start when the tab is first shown (the lab toggles `hidden` on the section).
  let started = false;
  const start = () => { if (!started && !view.hidden) { started = true; next(); } };
  new MutationObserver(start).observe(view, { attributes: true, attributeFilter: ["hidden"] });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
