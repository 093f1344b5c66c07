// glassnet lab: the page. Plain JavaScript, no libraries; every number comes from the server's API.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
};
const SVG = "http://www.w3.org/2000/svg";
const svgEl = (tag, attrs = {}) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
};
const fmt = (v, d = 3) => (v === null || v === undefined || Number.isNaN(v)) ? "–" : Number(v).toPrecision(d);
const pct = (v, d = 1) => (v === null || v === undefined) ? "–" : (100 * v).toFixed(d) + " %";
const debounce = (fn, ms) => { let t; return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); }; };

const state = { model: null, forward: null, chosen: null, runs: [], shown: new Set(), live: null, probe: null };
window.glassnet = state;  // for the end-to-end tests and the curious (browser console)
const COLORS = { pos: [78, 161, 255], neg: [255, 107, 94], zero: [21, 24, 30] };
const RUN_PALETTE = ["#f0c36a", "#4ea1ff", "#6fcf97", "#ff6b5e", "#c58af9", "#5fd3d1", "#f29e6d", "#9aa5b1"];

// ------------------------------------------------------------------------------------------------
// The API and messages

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const res = await fetch(path, opts);
  let data = null;
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (!res.ok) throw new Error((data && data.error) || `${res.status} ${res.statusText}`);
  return data;
}

let toastTimer;
function toast(message, kind = "error") {
  const t = $("#toast");
  t.textContent = message;
  t.className = "toast " + (kind === "info" ? "info" : "");
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, kind === "info" ? 3000 : 6000);
}

// ------------------------------------------------------------------------------------------------
// Pictures: 28x28 grey inputs, and weights on a diverging scale (blue +, red −, dark 0)

function mix(a, b, t) { return a.map((v, i) => Math.round(v + (b[i] - v) * t)); }
function divColor(v, max) {
  const t = Math.max(-1, Math.min(1, max > 0 ? v / max : 0));
  return mix(COLORS.zero, t >= 0 ? COLORS.pos : COLORS.neg, Math.sqrt(Math.abs(t)));
}
function divCss(v, max) { const [r, g, b] = divColor(v, max); return `rgb(${r},${g},${b})`; }

// values: flat, row by row; mode "grey" (0..1 or 0..255) or "div" (symmetric around 0, max = scale)
function paint(canvas, values, cols, rows, mode = "grey", max = null) {
  canvas.width = cols; canvas.height = rows;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(cols, rows);
  let scale = max;
  if (mode === "grey" && scale === null) scale = values.some((v) => v > 1) ? 255 : 1;
  if (mode === "div" && !scale) scale = Math.max(1e-12, ...values.map(Math.abs));
  for (let i = 0; i < cols * rows; i++) {
    const v = values[i] ?? 0;
    const [r, g, b] = mode === "grey" ? Array(3).fill(Math.round(255 * Math.max(0, Math.min(1, v / scale)))) : divColor(v, scale);
    img.data.set([r, g, b, 255], 4 * i);
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}
const picture = (values, mode = "grey", max = null, cls = "") => paint(el("canvas", { class: cls }), values, 28, 28, mode, max);

// ------------------------------------------------------------------------------------------------
// Line charts on a canvas (crisp on any screen)

function lineChart(canvas, { series, xlabel, ylabel, title, xmin, xmax, ymin, ymax, marks = [], empty, integerX = false }) {
  const cssW = canvas.clientWidth || canvas.width;
  const cssH = Math.round(cssW * canvas.getAttribute("height") / canvas.getAttribute("width"));
  const dpr = window.devicePixelRatio || 1;
  canvas.width = cssW * dpr; canvas.height = cssH * dpr; canvas.style.height = cssH + "px";
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  ctx.font = "12px system-ui, sans-serif";
  // The legend sits in rows between the title and the plot, never over the lines.
  const legend = [];
  let lx = 64, rows = series.some((s) => s.label) ? 1 : 0;
  for (const s of series.filter((s) => s.label)) {
    const w = 34 + ctx.measureText(s.label).width;
    if (lx + w > cssW - 14 && lx > 64) { lx = 64; rows++; }
    legend.push([s, lx, rows]); lx += w;
  }
  const top = (title ? 22 : 4) + 16 * rows;
  const pad = { l: 64, r: 14, t: top + 8, b: 36 };
  const W = cssW - pad.l - pad.r, H = cssH - pad.t - pad.b;
  const pts = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
  ctx.font = "12px system-ui, sans-serif";
  if (title) { ctx.fillStyle = "#c8ccd3"; ctx.fillText(title, pad.l, 15); }
  if (!pts.length) {
    ctx.fillStyle = "#8e96a3"; ctx.textAlign = "center";
    ctx.fillText(empty || "no data yet", pad.l + W / 2, pad.t + H / 2); ctx.textAlign = "left";
    return null;
  }
  let x0 = xmin ?? Math.min(...pts.map((p) => p[0])), x1 = xmax ?? Math.max(...pts.map((p) => p[0]));
  let y0 = ymin ?? Math.min(...pts.map((p) => p[1])), y1 = ymax ?? Math.max(...pts.map((p) => p[1]));
  if (x1 === x0) { x0 -= 0.5; x1 += 0.5; }
  if (y1 === y0) { y0 -= Math.abs(y0) * 0.1 + 1e-6; y1 += Math.abs(y1) * 0.1 + 1e-6; }
  if (ymin === undefined) y0 -= (y1 - y0) * 0.05;
  if (ymax === undefined) y1 += (y1 - y0) * 0.05;
  const X = (x) => pad.l + (x - x0) / (x1 - x0) * W, Y = (y) => pad.t + H - (y - y0) / (y1 - y0) * H;
  // axes and ticks
  ctx.strokeStyle = "#2a303a"; ctx.fillStyle = "#8e96a3"; ctx.lineWidth = 1;
  for (const t of ticks(y0, y1, 5)) {
    ctx.beginPath(); ctx.moveTo(pad.l, Y(t)); ctx.lineTo(pad.l + W, Y(t)); ctx.stroke();
    ctx.textAlign = "right"; ctx.fillText(tickLabel(t), pad.l - 6, Y(t) + 4);
  }
  const xticks = integerX ? intTicks(x0, x1, 8) : ticks(x0, x1, 7);
  for (const t of xticks) {
    ctx.textAlign = "center"; ctx.fillText(tickLabel(t), X(t), pad.t + H + 15);
  }
  ctx.strokeStyle = "#4a5260"; ctx.beginPath(); ctx.moveTo(pad.l, pad.t); ctx.lineTo(pad.l, pad.t + H);
  ctx.lineTo(pad.l + W, pad.t + H); ctx.stroke();
  ctx.textAlign = "center"; ctx.fillText(xlabel || "", pad.l + W / 2, pad.t + H + 31);
  ctx.save(); ctx.translate(12, pad.t + H / 2); ctx.rotate(-Math.PI / 2); ctx.fillText(ylabel || "", 0, 0); ctx.restore();
  ctx.textAlign = "left";
  // series
  ctx.save(); ctx.beginPath(); ctx.rect(pad.l, pad.t - 2, W + 2, H + 4); ctx.clip();
  for (const s of series) {
    ctx.strokeStyle = s.color; ctx.lineWidth = s.width || 2; ctx.setLineDash(s.dash || []);
    ctx.beginPath();
    s.points.forEach((p, i) => (i ? ctx.lineTo(X(p[0]), Y(p[1])) : ctx.moveTo(X(p[0]), Y(p[1]))));
    ctx.stroke(); ctx.setLineDash([]);
    if (s.dots) for (const p of s.points) { ctx.fillStyle = s.color; ctx.beginPath(); ctx.arc(X(p[0]), Y(p[1]), s.dots, 0, 7); ctx.fill(); }
  }
  ctx.restore();
  for (const m of marks) m(ctx, X, Y, { x0, x1, y0, y1, pad, W, H });
  for (const [s, x, row] of legend) {
    const y = (title ? 22 : 4) + 16 * row - 2;
    ctx.strokeStyle = s.color; ctx.lineWidth = 2; ctx.setLineDash(s.dash || []);
    ctx.beginPath(); ctx.moveTo(x, y - 4); ctx.lineTo(x + 18, y - 4); ctx.stroke(); ctx.setLineDash([]);
    ctx.fillStyle = "#c8ccd3"; ctx.textAlign = "left"; ctx.fillText(s.label, x + 24, y);
  }
  return { X, Y };
}
function intTicks(a, b, n) {
  const step = Math.max(1, Math.ceil((b - a) / n)), out = [];
  for (let t = Math.ceil(a); t <= Math.floor(b); t += step) out.push(t);
  return out;
}
function ticks(a, b, n) {
  const step = Math.pow(10, Math.floor(Math.log10((b - a) / n)));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (b - a) / s <= n) || step * 10;
  const out = [];
  for (let t = Math.ceil(a / nice) * nice; t <= b + 1e-12; t += nice) out.push(Math.abs(t) < nice * 1e-9 ? 0 : t);
  return out;
}
function tickLabel(t) { return Math.abs(t) >= 1e4 || (Math.abs(t) < 1e-3 && t !== 0) ? t.toExponential(0) : +t.toPrecision(4) + ""; }

// ------------------------------------------------------------------------------------------------
// Tabs and the model on show

function showView(name) {
  if (!$("#view-" + name)) name = "draw";
  document.querySelectorAll(".view").forEach((v) => { v.hidden = v.id !== "view-" + name; });
  document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t.dataset.view === name));
  if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
  if (name === "train") { drawCurves(); }
  if (name === "gradient" && !state.gradient && state.model?.loaded) computeGradient();
  if (name === "study") studyPlaceholder();
  if (name === "probe" && !state.probe && !state.probePending && state.model?.loaded) probeMostInfluential();
}

function studyPlaceholder() {
  const view = $("#view-study");
  if (!document.querySelector('script[src="/static/study.js"]') && !view.childElementCount) {
    view.append(el("div", { class: "panel" }, el("h2", { text: "Study" }),
      el("p", { class: "hint", text: "The study tool is not part of this build of glassnet." })));
  }
}

async function loadModel() {
  const m = await api("GET", "/api/model?weights=true");
  state.model = m;
  const badge = $("#model-badge");
  badge.replaceChildren();
  if (!m.loaded) { badge.textContent = "no model yet: train one in the Train tab"; return m; }
  const acc = m.metrics && m.metrics.test_accuracy;
  badge.append("showing ", el("b", { text: runLabel(m.name) }), ` · ${m.architecture.sizes.join("-")} ${m.architecture.activation}` +
    (acc !== undefined && acc !== null ? ` · test ${pct(acc)}` : ""));
  badge.title = m.path;
  fillProbeLayers();
  return m;
}

// ------------------------------------------------------------------------------------------------
// Draw: the pad, the 28x28 input, the network, the prediction

let drawSeq = 0;  // numbers the requests, so only the newest answer is shown
const pad = { canvas: null, ctx: null, drawing: false, ink: false, last: null };

function setupPad() {
  pad.canvas = $("#pad"); pad.ctx = pad.canvas.getContext("2d");
  clearPad();
  const pos = (e) => { const r = pad.canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * pad.canvas.width / r.width, (e.clientY - r.top) * pad.canvas.height / r.height]; };
  const send = debounce(sendDrawing, 120);
  pad.canvas.addEventListener("pointerdown", (e) => {
    pad.drawing = true; pad.last = pos(e); pad.canvas.setPointerCapture(e.pointerId); stroke(pad.last, pad.last);
  });
  pad.canvas.addEventListener("pointermove", (e) => {
    if (!pad.drawing) return;
    const p = pos(e); stroke(pad.last, p); pad.last = p; send();
  });
  const end = () => { if (pad.drawing) { pad.drawing = false; sendDrawing(); } };
  pad.canvas.addEventListener("pointerup", end);
  pad.canvas.addEventListener("pointercancel", end);
  $("#clear-pad").addEventListener("click", () => { clearPad(); resetDraw(); });
  $("#test-image").addEventListener("click", loadTestImage);
}
function clearPad() {
  pad.ctx.fillStyle = "#000"; pad.ctx.fillRect(0, 0, pad.canvas.width, pad.canvas.height); pad.ink = false;
}
function stroke(a, b) {
  const c = pad.ctx;
  c.strokeStyle = "#fff"; c.lineWidth = 20; c.lineCap = "round"; c.lineJoin = "round";
  c.beginPath(); c.moveTo(a[0], a[1]); c.lineTo(b[0] + 0.01, b[1]); c.stroke();
  pad.ink = true;
}
function resetDraw() {
  drawSeq++;  // an answer still on its way is for a drawing that no longer exists
  state.forward = null;
  paint($("#input28"), new Array(784).fill(0), 28, 28);
  $("#pad-hint").textContent = "Draw with the mouse or a finger, large and centred.";
  renderBars(); renderNet();
}

async function sendDrawing() {
  if (!pad.ink || !state.model?.loaded) return;
  const seq = ++drawSeq;
  try {
    const r = await api("POST", "/api/forward", { image: pad.canvas.toDataURL("image/png") });
    if (seq === drawSeq) showForward(r);
  } catch (err) { if (seq === drawSeq) $("#pad-hint").textContent = err.message; }
}
async function loadTestImage() {
  if (!state.model?.loaded) return toast("no model loaded yet: train one in the Train tab");
  const index = Math.floor(Math.random() * 10000);
  const seq = ++drawSeq;
  try {
    const r = await api("POST", "/api/forward", { test_index: index });
    if (seq !== drawSeq) return;
    // Show the test image on the pad too, so a learner can draw over it.
    const small = paint(el("canvas"), r.input, 28, 28);
    clearPad(); pad.ctx.imageSmoothingEnabled = true; pad.ctx.drawImage(small, 0, 0, pad.canvas.width, pad.canvas.height);
    pad.ink = true;
    showForward(r);
  } catch (err) { toast(err.message); }
}

function showForward(r) {
  state.forward = r;
  paint($("#input28"), r.input, 28, 28);
  const L = r.activations.length;
  if (!state.chosen || state.chosen.auto) state.chosen = { layer: L, unit: r.prediction, auto: true };
  $("#pad-hint").textContent = r.test_index !== null && r.test_index !== undefined
    ? `Test image #${r.test_index}, labelled ${r.label}.` : "Keep drawing: the network updates as you go.";
  renderBars(); renderNet();
  if (state.chosen) renderUnit(state.chosen.layer, state.chosen.unit);
}

function renderBars() {
  const box = $("#bars"); box.replaceChildren();
  const r = state.forward, n = state.model?.loaded ? state.model.architecture.sizes.at(-1) : 10;
  $("#pred-caption").textContent = r ? `it says ${r.prediction}` + (r.label !== null && r.label !== undefined ? ` (label ${r.label})` : "") : "";
  for (let d = 0; d < n; d++) {
    const p = r ? r.probabilities[d] : 0, top = r && d === r.prediction;
    box.append(el("div", { class: "digit" + (top ? " top" : ""), text: String(d) }),
      el("div", { class: "track" + (top ? " top" : "") }, el("div", { class: "fill", style: `width:${(100 * p).toFixed(1)}%` })),
      el("div", { class: "pct" + (top ? " top" : ""), text: r ? (100 * p).toFixed(1) + " %" : "" }));
  }
  box.setAttribute("data-prediction", r ? r.prediction : "");
}

function activationShade(a, layerIndex, acts) {
  const m = state.model.architecture, last = layerIndex === acts.length - 1;
  if (!last && m.activation === "tanh") return (a + 1) / 2;
  if (!last && m.activation === "relu") return a / Math.max(1e-9, ...acts[layerIndex]);
  return a;
}

function renderNet() {
  const svg = $("#net-svg"); svg.replaceChildren();
  const m = state.model;
  if (!m?.loaded) {
    const t = svgEl("text", { x: 320, y: 280, "text-anchor": "middle" }); t.textContent = "No model yet: train one in the Train tab.";
    svg.append(t); return;
  }
  const sizes = m.architecture.sizes, L = sizes.length - 1, r = state.forward;
  const img = { x: 10, y: 176, s: 7 }; // input picture: 28 x 7 px
  const xs = Array.from({ length: L }, (_, i) => 290 + (L === 1 ? 250 : i * 270 / (L - 1)));
  const pos = []; // pos[l][j] = [x, y, radius] for layer l+1
  for (let l = 0; l < L; l++) {
    const n = Math.min(sizes[l + 1], m.drawn_units), gap = Math.min(44, 500 / n), rad = Math.min(14, gap * 0.36);
    const top = 280 - gap * (n - 1) / 2;
    pos.push(Array.from({ length: n }, (_, j) => [xs[l], top + j * gap, rad]));
  }
  $("#net-caption").textContent = `${sizes.join(" → ")}` + (r ? "" : " · draw a digit to see it think");
  // Faint lines: every connection between the drawn units (the video's grey web).
  const web = svgEl("g", { stroke: "#3a4250", "stroke-width": 0.5, opacity: 0.5 });
  for (let l = 1; l < L; l++) for (const a of pos[l - 1]) for (const b of pos[l]) web.append(svgEl("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }));
  for (const b of pos[0]) for (let k = 0; k < 4; k++) web.append(svgEl("line", { x1: img.x + 28 * img.s, y1: img.y + (k + 0.5) * 7 * img.s, x2: b[0], y2: b[1], opacity: 0.5 }));
  svg.append(web);
  // The input picture.
  const small = paint(el("canvas"), r ? r.input : new Array(784).fill(0), 28, 28);
  svg.append(svgEl("rect", { x: img.x - 1, y: img.y - 1, width: 28 * img.s + 2, height: 28 * img.s + 2, fill: "none", stroke: "#4a5260" }));
  const image = svgEl("image", { x: img.x, y: img.y, width: 28 * img.s, height: 28 * img.s, style: "image-rendering:pixelated" });
  image.setAttribute("href", small.toDataURL()); svg.append(image);
  // The chosen unit's strongest incoming connections, coloured by the sign of weight x activation.
  const ch = state.chosen;
  if (r && ch && r.connections[ch.layer - 1] && r.connections[ch.layer - 1][ch.unit]) {
    const c = r.connections[ch.layer - 1][ch.unit], target = pos[ch.layer - 1][ch.unit];
    const maxT = Math.max(1e-12, ...c.term.map(Math.abs));
    const g = svgEl("g");
    c.from.forEach((f, i) => {
      const t = c.term[i];
      if (t === 0) return;
      let src;
      if (ch.layer === 1) src = [img.x + (f % 28 + 0.5) * img.s, img.y + (Math.floor(f / 28) + 0.5) * img.s];
      else if (pos[ch.layer - 2][f]) src = pos[ch.layer - 2][f];
      else return;
      const k = Math.abs(t) / maxT;
      const line = svgEl("line", { x1: src[0], y1: src[1], x2: target[0], y2: target[1], class: "conn",
        stroke: t > 0 ? "#4ea1ff" : "#ff6b5e", "stroke-width": 0.8 + 3.5 * k, opacity: 0.35 + 0.65 * k,
        "data-layer": ch.layer, "data-to": ch.unit, "data-from": f });
      const tip = svgEl("title"); tip.textContent = `weight ${ch.layer}: ${ch.unit} ← ${f}\nw = ${fmt(c.weight[i])}, a = ${fmt(c.activation[i])}, w·a = ${fmt(t)}\nclick to probe this weight`;
      line.append(tip);
      line.addEventListener("click", () => goProbe(ch.layer, ch.unit, f));
      g.append(line);
    });
    svg.append(g);
  }
  // The units.
  for (let l = 0; l < L; l++) {
    const g = svgEl("g");
    pos[l].forEach(([x, y, rad], j) => {
      const a = r ? r.activations[l][j] : 0;
      const shade = Math.round(255 * Math.max(0, Math.min(1, r ? activationShade(a, l, r.activations) : 0)));
      const chosen = ch && ch.layer === l + 1 && ch.unit === j;
      const u = svgEl("g", { class: "unit", "data-layer": l + 1, "data-unit": j });
      u.append(svgEl("circle", { cx: x, cy: y, r: rad, fill: `rgb(${shade},${shade},${shade})`,
        stroke: chosen ? "#f0c36a" : "#7a828e", "stroke-width": chosen ? 3 : 1 }));
      const tip = svgEl("title"); tip.textContent = `layer ${l + 1}, unit ${j}: activation ${fmt(a)}`; u.append(tip);
      u.addEventListener("click", () => { state.chosen = { layer: l + 1, unit: j, auto: false }; renderNet(); renderUnit(l + 1, j); });
      g.append(u);
      if (l === L - 1) {
        const t = svgEl("text", { x: x + rad + 8, y: y + 5, style: r && j === r.prediction ? "fill:#f0c36a;font-weight:700;font-size:15px" : "font-size:14px" });
        t.textContent = m.classes[j]; g.append(t);
      }
    });
    svg.append(g);
    const cap = svgEl("text", { x: xs[l], y: 552, "text-anchor": "middle" });
    const more = sizes[l + 1] > pos[l].length ? ` (first ${pos[l].length})` : "";
    cap.textContent = (l === L - 1 ? "output" : `layer ${l + 1}`) + ` · ${sizes[l + 1]}${more}`;
    svg.append(cap);
  }
  const cap = svgEl("text", { x: img.x + 14 * img.s, y: img.y + 28 * img.s + 22, "text-anchor": "middle" });
  cap.textContent = "input · 784 pixels"; svg.append(cap);
}

async function renderUnit(layer, unit) {
  const box = $("#unit-panel"), L = state.model.architecture.sizes.length - 1;
  const r = state.forward;
  $("#unit-title").textContent = layer === L ? `Output unit ${unit} (digit ${state.model.classes[unit]})` : `Layer ${layer}, unit ${unit}`;
  const key = `${state.model.version}:${layer}:${unit}`;
  box.dataset.key = key;
  if (box.dataset.shown !== `${layer}:${unit}`) box.style.opacity = 0.4;  // another unit's pictures, until this one's arrive
  let u;
  try { u = await api("GET", `/api/unit?layer=${layer}&unit=${unit}`); } catch (err) { box.replaceChildren(el("p", { class: "hint", text: err.message })); return; }
  if (box.dataset.key !== key) return;
  box.replaceChildren();
  box.style.opacity = 1;
  box.dataset.shown = `${layer}:${unit}`;
  if (r) {
    const c = r.connections[layer - 1][unit], a = r.activations[layer - 1][unit];
    box.append(el("p", { class: "num", text: `now: activation a = ${fmt(a)}, weighted input z = Σ w·a + b = ${fmt(c.z)}` }));
  }
  const wmax = Math.max(1e-12, ...u.weights.map(Math.abs));
  const pair = el("div", { class: "pair" });
  if (u.weights.length === 784) {
    pair.append(el("figure", {}, picture(u.weights, "div", wmax), el("figcaption", { text: `its 784 weights (±${fmt(wmax, 2)}), bias ${fmt(u.bias)}` })));
  } else {
    pair.append(el("figure", {}, weightBars(u.weights, wmax), el("figcaption", { text: `its ${u.weights.length} weights from layer ${layer - 1}, bias ${fmt(u.bias)}` })));
  }
  if (u.maximized) pair.append(el("figure", {}, picture(u.maximized.image), el("figcaption", { text: `input built to excite it: a = ${fmt(u.maximized.activation_end)}` })));
  box.append(pair);
  box.append(el("h3", { text: `Test images that excite it most` }));
  const pics = el("div", { class: "pics" });
  for (const t of u.top) pics.append(el("figure", {}, picture(t.pixels), el("figcaption", { text: fmt(t.activation, 2) })));
  box.append(pics);
  box.append(el("p", { class: "hint", text: `active on ${pct(u.active_fraction, 0)} of ${u.searched.toLocaleString()} test images (mean activation ${fmt(u.mean_activation, 2)}).` }));
}

function weightBars(weights, wmax) {
  const n = weights.length, w = 112, h = 112, canvas = el("canvas", { width: w, height: h });
  canvas.style.background = "#10141a";
  const ctx = canvas.getContext("2d"), bw = w / n;
  ctx.fillStyle = "#3a4250"; ctx.fillRect(0, h / 2, w, 1);
  weights.forEach((v, i) => { ctx.fillStyle = divCss(v, wmax * 0.6); const bh = (v / wmax) * (h / 2 - 4);
    ctx.fillRect(i * bw + 0.5, v > 0 ? h / 2 - bh : h / 2, Math.max(1, bw - 1), Math.abs(bh)); });
  canvas.style.imageRendering = "auto";
  return canvas;
}

// ------------------------------------------------------------------------------------------------
// Train: the form, live curves, first-layer weights, runs

const PRESETS = {
  "3b1b": { hidden: "16,16", activation: "sigmoid", output: "sigmoid", cost: "quadratic", optimizer: "adam", lr: 0.003, schedule: "cosine", batch: 10 },
  nielsen: { hidden: "16,16", activation: "sigmoid", output: "sigmoid", cost: "quadratic", optimizer: "sgd", lr: 3.0, schedule: "constant", batch: 10 },
  relu: { hidden: "100", activation: "relu", output: "softmax", cost: "cross-entropy", optimizer: "adam", lr: 0.001, schedule: "cosine", batch: 32 },
};
function applyPreset(name) {
  const p = PRESETS[name];
  for (const [k, v] of Object.entries(p)) { const input = $("#t-" + k); if (input) input.value = v; }
}

function trainRequest() {
  const hidden = $("#t-hidden").value.split(",").map((s) => s.trim()).filter(Boolean).map(Number);
  return { hidden, activation: $("#t-activation").value, output: $("#t-output").value, cost: $("#t-cost").value,
    optimizer: $("#t-optimizer").value, lr: Number($("#t-lr").value), schedule: $("#t-schedule").value,
    epochs: Number($("#t-epochs").value), batch_size: Number($("#t-batch").value), limit: Number($("#t-limit").value),
    seed: Number($("#t-seed").value) };
}

async function startTraining(e) {
  e.preventDefault();
  try {
    const run = await api("POST", "/api/train", trainRequest());
    state.live = { ...run, history: [] };
    setTrainStatus(`training ${run.name}: ${run.limit.toLocaleString()} images, ${run.epochs} epochs…`);
    watchTraining(0);
  } catch (err) { setTrainStatus(err.message, true); }
}

function setTrainStatus(text, error = false) {
  const s = $("#train-status"); s.textContent = text; s.classList.toggle("error", error);
}
function setTrainButtons(running) { $("#train-start").disabled = running; $("#train-stop").disabled = !running; }

let source = null;
function watchTraining(after) {
  if (source) source.close();
  setTrainButtons(true);
  source = new EventSource(`/api/train/events?after=${after}`);
  source.addEventListener("epoch", (ev) => {
    const d = JSON.parse(ev.data);
    if (!state.live || state.live.name !== d.name) state.live = { name: d.name, epochs: d.epochs, history: [] };
    state.live.history.push(d.record);
    if (d.weights) renderTrainWeights(d.weights, d.record.epoch, d.epochs);
    const h = d.record;
    state.live.lastText = `epoch ${h.epoch} of ${d.epochs}: cost ${fmt(h.cost, 4)}, validation accuracy ${pct(h.validation_accuracy)}`;
    setTrainStatus(state.live.lastText);
    $("#train-progress").style.width = (100 * h.epoch / d.epochs) + "%";
    drawCurves();
  });
  // Within an epoch: how many of its images have been trained on (about 20 updates an epoch).
  source.addEventListener("progress", (ev) => {
    const d = JSON.parse(ev.data);
    if (!state.live || state.live.name !== d.name) state.live = { name: d.name, epochs: d.epochs, history: [] };
    if (d.images === 0 && d.epoch > 1) return;  // the previous epoch's line stays until there is news
    const under = `epoch ${d.epoch} of ${d.epochs}: ${d.images.toLocaleString()} / ${d.total.toLocaleString()} images`;
    setTrainStatus(state.live.lastText ? `${state.live.lastText} · ${under}` : under);
    $("#train-progress").style.width = (100 * (d.epoch - 1 + d.images / d.total) / d.epochs) + "%";
  });
  source.addEventListener("done", async (ev) => {
    source.close(); source = null;
    const run = JSON.parse(ev.data);
    state.live = { ...run, history: state.live?.name === run.name ? state.live.history : run.history };
    setTrainButtons(false);
    if (run.weights) renderTrainWeights(run.weights, run.weights_epoch, run.epochs, "kept");
    if (run.state === "failed") setTrainStatus(run.error, true);
    else if (run.model) {
      setTrainStatus(`${run.state === "stopped" ? "stopped" : "finished"}: test accuracy ${pct(run.metrics.test_accuracy)} ` +
        `(best epoch ${run.metrics.best_epoch}), saved as ${run.name}`);
      $("#train-progress").style.width = "100%";
      state.shown.add(run.name);
    } else setTrainStatus(run.error || "stopped: nothing saved");
    await loadRuns();
  });
  source.addEventListener("idle", () => { source.close(); source = null; setTrainButtons(false); });
  source.onerror = () => { /* the browser reconnects by itself; the server resends from `after` */ };
}

function renderTrainWeights(w, epoch, epochs, note = "") {
  const box = $("#train-weights"); box.replaceChildren();
  w.values.forEach((row, j) => box.append(el("figure", {}, picture(row, "div", w.max_abs), el("figcaption", { text: `unit ${j}` }))));
  $("#w-caption").textContent = epoch === 0 ? "before training (random)" : `after epoch ${epoch}${epochs ? " of " + epochs : ""}${note ? " (" + note + ")" : ""}`;
}

async function loadRuns() {
  const data = await api("GET", "/api/runs");
  state.runs = data.runs;
  if (!state.shown.size) data.runs.slice(0, 3).forEach((r) => state.shown.add(r.name));
  const table = el("table");
  table.append(el("tr", {}, ...["", "run", "network", "optimizer", "val.", "test", ""].map((h) => el("th", { text: h }))));
  data.runs.forEach((r, i) => {
    const color = RUN_PALETTE[i % RUN_PALETTE.length];
    const box = el("input", { type: "checkbox", title: "show on the curves" });
    box.checked = state.shown.has(r.name);
    box.addEventListener("change", () => { box.checked ? state.shown.add(r.name) : state.shown.delete(r.name); drawCurves(); });
    const t = r.training || {}, m = r.metrics || {}, a = r.architecture || {};
    const use = el("button", { text: r.current ? "showing" : "Use in Draw", title: "Look at this network in every view" });
    use.disabled = r.current;
    use.addEventListener("click", () => useRun(r.name));
    table.append(el("tr", { class: r.current ? "current" : "" },
      el("td", {}, box), el("td", { title: r.name }, el("span", { class: "swatch-run", style: `background:${color}` }), runLabel(r.name)),
      el("td", { text: `${(a.sizes || []).join("-")} ${a.activation || ""}`, title: `${a.output || ""} output, ${a.cost || ""} cost` }),
      el("td", { text: `${t.optimizer || "?"} η=${t.lr ?? "?"}`, title: `${t.schedule || ""} schedule, batch ${t.batch_size ?? "?"}, ${m.epochs_run ?? r.history.length} epochs on ${t.limit ? t.limit.toLocaleString() : "all"} images` }),
      el("td", { text: pct(m.validation_accuracy) }), el("td", { text: pct(m.test_accuracy) }), el("td", {}, use)));
    r.color = color;
  });
  const box = $("#runs"); box.replaceChildren(data.runs.length ? table : el("p", { class: "hint", text: `No runs yet. They are saved in ${data.runs_dir}.` }));
  drawCurves();
}

async function useRun(name) {
  try {
    await api("POST", "/api/model", { run: name });
    await loadModel();
    state.chosen = null; state.gradient = null; state.probe = null;
    if (pad.ink) sendDrawing(); else resetDraw();
    await loadRuns();
    toast(`now showing ${name}`, "info");
  } catch (err) { toast(err.message); }
}

function runLabel(name) {
  const m = /^(?:run-)?(\d{8})-(\d{2})(\d{2})(\d{2})(?:-(.*))?$/.exec(name);
  return m ? `${m[5] ? m[5] + " " : "run "}${m[2]}:${m[3]}:${m[4]}` : name;
}

function drawCurves() {
  if ($("#view-train").hidden) return;
  const series = { cost: [], acc: [] };
  const add = (name, history, color) => {
    const ep = (k) => history.filter((h) => h[k] !== null && h[k] !== undefined).map((h) => [h.epoch, h[k]]);
    series.cost.push({ points: ep("validation_cost"), color, label: name }, { points: ep("cost"), color, dash: [5, 4], width: 1.5 });
    series.acc.push({ points: ep("validation_accuracy").map(([e, v]) => [e, 100 * v]), color, label: name, dots: history.length < 15 ? 2.5 : 0 },
      { points: ep("train_accuracy").map(([e, v]) => [e, 100 * v]), color, dash: [5, 4], width: 1.5 });
  };
  const liveRunning = state.live && !state.live.finished && state.live.history.length;
  state.runs.forEach((r) => { if (state.shown.has(r.name) && !(liveRunning && r.name === state.live.name)) add(runLabel(r.name), r.history, r.color); });
  if (liveRunning) add(runLabel(state.live.name) + " (live)", state.live.history, "#ffffff");
  $("#cost-chart").dataset.points = series.cost.reduce((n, s) => n + s.points.length, 0);
  const maxEpoch = Math.max(1, ...series.cost.flatMap((s) => s.points.map((p) => p[0])), state.live?.epochs && !state.live.model ? state.live.epochs : 1);
  lineChart($("#cost-chart"), { series: series.cost, integerX: true, xlabel: "epoch", ylabel: "cost", title: "Cost (solid: validation images, dashed: training images)", xmin: 1, xmax: maxEpoch, empty: "start a run, or tick a saved one below" });
  lineChart($("#acc-chart"), { series: series.acc, integerX: true, xlabel: "epoch", ylabel: "accuracy %", title: "Accuracy % (solid: validation images, dashed: training images)", xmin: 1, xmax: maxEpoch, empty: "the accuracy after each epoch appears here" });
}

// ------------------------------------------------------------------------------------------------
// Probe one weight

function fillProbeLayers() {
  const sel = $("#p-layer"), sizes = state.model.architecture.sizes, L = sizes.length - 1, keep = sel.value;
  sel.replaceChildren();
  for (let l = 1; l <= L; l++) {
    const name = l === L ? "output layer" : `hidden layer ${l}`;
    sel.append(el("option", { value: l, text: `${l} · ${name} (${sizes[l]} × ${sizes[l - 1]})` }));
  }
  if (keep && keep <= L) sel.value = keep;
  updateProbeLimits();
}
function updateProbeLimits() {
  const sizes = state.model.architecture.sizes, l = Number($("#p-layer").value);
  $("#p-to").max = sizes[l] - 1; $("#p-from").max = sizes[l - 1] - 1;
}

function goProbe(layer, to, from) {
  $("#p-layer").value = layer; updateProbeLimits();
  $("#p-to").value = to; $("#p-from").value = from;
  state.probePending = true;  // the learner chose this weight: no automatic first weight
  showView("probe");
  runProbe(null);
}

const LR_STEPS = 1000;
function lrFromSlider() {
  const p = state.probe; if (!p) return null;
  const t = Number($("#p-lr").value) / LR_STEPS;
  return Math.exp(Math.log(p.lrMin) + t * (Math.log(p.lrMax) - Math.log(p.lrMin)));
}
function sliderFromLr(lr) {
  const p = state.probe;
  $("#p-lr").value = Math.round(LR_STEPS * (Math.log(lr) - Math.log(p.lrMin)) / (Math.log(p.lrMax) - Math.log(p.lrMin)));
}

function probeRequest(lr, curve) {
  return { layer: Number($("#p-layer").value), to: Number($("#p-to").value), frm: Number($("#p-from").value),
    batch_size: Number($("#p-batch").value), steps: Number($("#p-steps").value), lr: lr ?? undefined, curve };
}

async function runProbe(lr) {
  try {
    const r = await api("POST", "/api/probe", probeRequest(lr, true));
    const rates = r.suggested_rates;
    const good = r.descent.lr;
    state.probe = { ...r, lrMin: (rates ? rates.small : good) / 20, lrMax: (rates ? rates["too large"] : good) * 4 };
    sliderFromLr(r.descent.lr);
    renderProbe();
  } catch (err) { toast(err.message); }
}
async function probeMostInfluential() {
  // A first weight worth looking at: the one the gradient of the first batch says matters most.
  try {
    const g = await api("POST", "/api/gradient", { batch_start: 0, batch_size: Number($("#p-batch").value), k: 1 });
    if (state.probe) return;
    const t = g.top[0];
    $("#p-layer").value = t.layer; updateProbeLimits(); $("#p-to").value = t.to; $("#p-from").value = t.from;
    await runProbe(null);
  } catch (err) { toast(err.message); }
}

const descend = debounce(async () => {
  if (!state.probe) return;
  const lr = lrFromSlider();
  $("#p-lr-text").textContent = fmt(lr, 3);
  try {
    const r = await api("POST", "/api/probe", probeRequest(lr, false));
    state.probe.descent = r.descent; renderProbe();
    // Steps that leave the drawn part of the curve: draw the curve wide enough to show where they land.
    const c = state.probe.curve, reach = Math.max(...r.descent.values.map((v) => Math.abs(v - c.current)));
    const drawn = c.values.at(-1) - c.current;
    if (reach > drawn * 1.02 && drawn < 100) {
      const wide = await api("POST", "/api/probe", { ...probeRequest(lr, true), span: Math.min(100, reach * 1.15) });
      if (wide.descent.lr === state.probe.descent.lr) { state.probe.curve = wide.curve; renderProbe(); }
    }
  } catch (err) { toast(err.message); }
}, 80);

function renderProbe() {
  const p = state.probe, c = p.curve, d = p.descent, L = state.model.architecture.sizes.length - 1;
  const fromName = c.layer === 1 ? `pixel ${c.frm} (row ${Math.floor(c.frm / 28)}, column ${c.frm % 28})` : `unit ${c.frm} of layer ${c.layer - 1}`;
  $("#p-title").textContent = `Cost C(w) for the weight into ${c.layer === L ? "output" : "layer " + c.layer} unit ${c.to} from ${fromName}`;
  $("#p-lr-text").textContent = fmt(d.lr, 3);
  $("#p-steps-text").textContent = $("#p-steps").value;
  const curve = c.values.map((v, i) => [v, c.costs[i]]);
  const path = d.values.map((v, i) => [v, d.costs[i]]);
  const lo = Math.min(c.values[0], ...d.values), hi = Math.max(c.values.at(-1), ...d.values);
  const span = c.values.at(-1) - c.values[0];
  const xmin = Math.max(lo, c.values[0] - span), xmax = Math.min(hi, c.values.at(-1) + span);
  const tangentHalf = (xmax - xmin) / 10;  // a short piece of the tangent: the slope, where it is measured
  const tangent = [[c.current - tangentHalf, c.cost_at_current - c.derivative * tangentHalf], [c.current + tangentHalf, c.cost_at_current + c.derivative * tangentHalf]];
  const yPts = curve.map((q) => q[1]).concat(path.map((q) => q[1]));
  const ymin = Math.min(...yPts), ymax = Math.max(...yPts);
  lineChart($("#probe-chart"), {
    series: [{ points: curve, color: "#c8ccd3", label: "C(w), all other weights fixed" },
      { points: tangent, color: "#f0c36a", width: 1.5, dash: [4, 3], label: `slope ∂C/∂w = ${fmt(c.derivative)}` },
      { points: path, color: "#4ea1ff", width: 1.5, dots: 4, label: `descent, η = ${fmt(d.lr, 3)}` }],
    xlabel: "weight value w", ylabel: "cost C", xmin, xmax, ymin: ymin - (ymax - ymin) * 0.05, ymax: ymax + (ymax - ymin) * 0.08,
    marks: [(ctx, X, Y) => {
      ctx.fillStyle = "#f0c36a"; ctx.beginPath(); ctx.arc(X(c.current), Y(c.cost_at_current), 6, 0, 7); ctx.fill();
      ctx.fillStyle = "#c8ccd3"; ctx.font = "11px system-ui, sans-serif";
      let last = [X(c.current), Y(c.cost_at_current)];
      path.slice(1, 8).forEach((q, i) => {  // number the first steps, where they do not pile up
        const at = [X(q[0]), Y(q[1])];
        if (Math.hypot(at[0] - last[0], at[1] - last[1]) > 14) { ctx.fillText(String(i + 1), at[0] + 6, at[1] - 6); last = at; }
      });
    }],
  });
  lineChart($("#probe-steps"), { series: [{ points: d.costs.map((v, i) => [i, v]), color: "#4ea1ff", dots: 3, label: "cost after each step" }],
    xlabel: "step", ylabel: "cost", xmin: 0, integerX: true });
  const facts = $("#p-facts"); facts.replaceChildren();
  const row = (k, v) => facts.append(el("dt", { text: k }), el("dd", { text: v }));
  row("w now", fmt(c.current, 5));
  row("C(w)", fmt(c.cost_at_current, 6));
  row("∂C/∂w by backprop", fmt(c.derivative, 6));
  row("finite difference", fmt(c.finite_difference, 6));
  row("relative difference", fmt(c.relative_error, 2));
  row("to lower the cost", c.direction === "stay" ? "stay (slope 0)" : `${c.direction} w`);
  row("lowest on the curve", `C = ${fmt(c.lowest_cost, 5)} at w = ${fmt(c.lowest_value, 4)}`);
  row("curvature C''", fmt(c.curvature, 3));
  if (p.suggested_rates) row("rates", `small ${fmt(p.suggested_rates.small, 2)}, good ${fmt(p.suggested_rates.good, 2)}, too large ${fmt(p.suggested_rates["too large"], 2)}`);
  row("batch", `training images ${p.batch.start}–${p.batch.start + p.batch.size - 1}`);
  facts.append(el("dd", { class: "note", text: "Backprop's slope and the measured (C(w+h) − C(w−h)) / 2h agree: that is what the backpropagation equations promise. Gradient descent moves w against the slope, by η times the slope." }));
  const v = $("#p-verdict");
  const end = `after ${d.values.length - 1} steps: C = ${fmt(d.costs.at(-1), 5)}`;
  if (c.derivative === 0 && c.curvature === 0) { v.className = "verdict meh"; v.textContent = "Flat: this weight's input is 0 on every image of the batch (an empty border pixel?), so changing it changes nothing."; }
  else if (d.diverged) { v.className = "verdict bad"; v.textContent = `Diverges: the steps jump across the valley and end higher than they started (${end}). Lower η.`; }
  else if (d.overshoots && d.converged) { v.className = "verdict meh"; v.textContent = `Converges, but overshoots the bottom and zig-zags back (${end}).`; }
  else if (d.converged) { v.className = "verdict good"; v.textContent = `Converges to the bottom of the valley (${end}).`; }
  else if (d.overshoots) { v.className = "verdict bad"; v.textContent = `Overshoots: the steps jump across the valley (${end}).`; }
  else { v.className = "verdict meh"; v.textContent = `Still on its way down (${end}): a larger η or more steps.`; }
  v.dataset.state = d.diverged ? "diverged" : d.converged ? "converged" : d.overshoots ? "overshoots" : "crawling";
}

// ------------------------------------------------------------------------------------------------
// The gradient

async function computeGradient(e) {
  if (e) e.preventDefault();
  try {
    const r = await api("POST", "/api/gradient", { batch_start: Number($("#g-start").value), batch_size: Number($("#g-size").value), k: 12 });
    state.gradient = r; renderGradient();
  } catch (err) { toast(err.message); }
}

function renderGradient() {
  const r = state.gradient, L = r.layers.length;
  const first = r.layers[0];
  const box = $("#g-first"); box.replaceChildren();
  if (first.shape[1] === 784) first.values.forEach((row, j) => box.append(el("figure", {}, picture(row.map((v) => -v), "div", first.max_abs), el("figcaption", { text: `unit ${j}` }))));
  const deeper = $("#g-deeper"); deeper.replaceChildren();
  r.layers.slice(1).forEach((layer) => {
    const [rows, cols] = [layer.values.length, layer.shape[1]];
    const canvas = paint(el("canvas"), layer.values.flat().map((v) => -v), cols, rows, "div", layer.max_abs);
    const cell = Math.max(4, Math.min(14, Math.floor(230 / cols)));
    canvas.style.width = cols * cell + "px"; canvas.style.height = rows * cell + "px";
    deeper.append(el("figure", {}, canvas, el("figcaption", { text: `${layer.layer === L ? "output" : "layer " + layer.layer}: ${layer.shape[0]} × ${layer.shape[1]}, max |∂C/∂w| ${fmt(layer.max_abs, 2)}` })));
  });
  const facts = $("#g-facts"); facts.replaceChildren();
  const row = (k, v) => facts.append(el("dt", { text: k }), el("dd", { text: v }));
  row("images", `${r.batch.start}–${r.batch.start + r.batch.size - 1}`);
  row("cost C", fmt(r.cost, 5));
  row("‖∇C‖", fmt(r.norm, 4));
  r.layer_rms.forEach((v, i) => row(`layer ${i + 1} rms`, fmt(v, 3)));
  const down = r.cost_after_gradient_step - r.cost, rand = r.cost_after_random_step - r.cost;
  facts.append(el("dd", { class: "note", text: `A step of length ${fmt(r.step, 2)} along −∇C changes the cost by ${fmt(down, 3)} (first-order prediction ${fmt(r.predicted_change, 3)}); a random step of the same length changes it by ${fmt(rand, 3)} on average. Downhill is the steepest way down.` }));
  const table = $("#g-top"); table.replaceChildren();
  table.append(el("tr", {}, ...["#", "weight", "w", "∂C/∂w", "to lower C"].map((h) => el("th", { text: h }))));
  r.top.forEach((t, i) => {
    const name = `${t.layer === L ? "out" : "L" + t.layer} ${t.to} ← ${t.layer === 1 ? "px " : ""}${t.from}`;
    table.append(el("tr", { class: "click", title: "probe this weight", onclick: () => goProbe(t.layer, t.to, t.from) },
      el("td", { text: String(i + 1) }), el("td", { text: name }), el("td", { text: fmt(t.weight, 3) }),
      el("td", { text: fmt(t.gradient, 3) }), el("td", { class: t.move === "increase" ? "pos-text" : "neg-text", text: t.move })));
  });
}

// ------------------------------------------------------------------------------------------------
// Start

async function main() {
  document.querySelectorAll(".tab").forEach((t) => t.addEventListener("click", () => showView(t.dataset.view)));
  setupPad();
  $("#t-preset").addEventListener("change", (e) => applyPreset(e.target.value));
  applyPreset("3b1b");
  $("#train-form").addEventListener("submit", startTraining);
  $("#train-stop").addEventListener("click", async () => { try { const r = await api("POST", "/api/train/stop"); setTrainStatus(r.message); } catch (err) { toast(err.message); } });
  $("#probe-form").addEventListener("submit", (e) => { e.preventDefault(); runProbe(null); });
  $("#p-layer").addEventListener("change", updateProbeLimits);
  $("#p-lr").addEventListener("input", descend);
  $("#p-steps").addEventListener("input", () => { $("#p-steps-text").textContent = $("#p-steps").value; descend(); });
  document.querySelectorAll(".ticks button").forEach((b) => b.addEventListener("click", () => {
    const rates = state.probe?.suggested_rates; if (!rates) return;
    sliderFromLr(rates[b.dataset.rate]); descend();
  }));
  $("#gradient-form").addEventListener("submit", computeGradient);
  $("#g-next").addEventListener("click", () => { $("#g-start").value = Number($("#g-start").value) + Number($("#g-size").value); computeGradient(); });
  window.addEventListener("resize", debounce(() => { drawCurves(); if (state.probe) renderProbe(); }, 150));
  try {
    const m = await loadModel();
    resetDraw();
    if (m.first_layer) renderTrainWeights(m.first_layer, null, null);
    if (m.loaded) $("#w-caption").textContent = `of ${m.name}`;
    await loadRuns();
    const status = await api("GET", "/api/train/status");
    if (status.run) {
      state.live = status.run;
      if (["starting", "running", "stopping"].includes(status.run.state)) { state.live.history = []; watchTraining(0); }
    }
  } catch (err) { toast(err.message); }
  showView(location.hash.slice(1) || "draw");
  document.body.dataset.ready = "1";
}
document.addEventListener("DOMContentLoaded", main);
