// The explorer's script: sortable tables, the sweep's recipe filter, the
// run page's curves (hover for step, samples and KL), its snapshot
// slider, and polling while a run trains. No dependencies.
"use strict";

function sortable(table) {
  const heads = table.tHead ? Array.from(table.tHead.rows[0].cells) : [];
  heads.forEach((th, col) => th.addEventListener("click", () => {
    const asc = !th.classList.contains("asc");
    heads.forEach(h => h.classList.remove("asc", "desc"));
    th.classList.add(asc ? "asc" : "desc");
    const num = th.dataset.type === "num";
    const key = td => td ? (td.dataset.v !== undefined ? td.dataset.v : td.textContent.trim()) : "";
    const rows = Array.from(table.tBodies[0].rows);
    rows.sort((a, b) => {
      let x = key(a.cells[col]), y = key(b.cells[col]);
      if (num) {
        x = parseFloat(x); y = parseFloat(y);
        if (isNaN(x)) return 1; if (isNaN(y)) return -1;
        return asc ? x - y : y - x;
      }
      return asc ? x.localeCompare(y, undefined, {numeric: true}) : y.localeCompare(x, undefined, {numeric: true});
    });
    rows.forEach(r => table.tBodies[0].appendChild(r));
  }));
}

const SVGNS = "http://www.w3.org/2000/svg";
function el(name, attrs, parent) {
  const e = document.createElementNS(SVGNS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

// heldOut reports whether a history scores a validation split: a data
// set with splits, whose KL is only from its training examples.
const heldOut = hist => hist.some(p => p.Valid !== undefined);

// costs describes a point of a held-out history: its two costs, in bits.
const costs = p => "−log p(v): train " + p.NLL.toFixed(3) + " bits, valid " +
  (p.Valid === undefined ? "–" : p.Valid.toFixed(3)) + " bits";

// drawCurves draws KL and NLL − H (both in bits, log scale) against the
// samples seen, with a hover readout; for a data set with splits, the
// cost of its training and validation examples instead (drawHeldOut).
function drawCurves(svg, tip, hist) {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  if (!hist.length) { el("text", {x: 20, y: 30}, svg).textContent = "no evaluations yet"; return; }
  if (heldOut(hist)) { drawHeldOut(svg, tip, hist); return; }
  const W = +svg.getAttribute("width"), H = +svg.getAttribute("height");
  const L = 50, R = 10, T = 10, B = 30;
  const xs = hist.map(p => p.Samples), kls = hist.map(p => Math.max(p.KL, 1e-4)), nlls = hist.map(p => Math.max(p.NLL, 1e-4));
  const xmax = Math.max(1, ...xs);
  let lo = Math.log10(Math.min(...kls)), hi = Math.log10(Math.max(...nlls, ...kls));
  lo = Math.floor(lo); hi = Math.max(Math.ceil(hi), lo + 1);
  const X = s => L + s / xmax * (W - L - R);
  const Y = v => T + (hi - Math.log10(Math.max(v, 1e-4))) / (hi - lo) * (H - T - B);
  for (let e = lo; e <= hi; e++) {
    el("line", {x1: L, x2: W - R, y1: Y(10 ** e), y2: Y(10 ** e), class: "grid"}, svg);
    el("text", {x: L - 4, y: Y(10 ** e) + 4, "text-anchor": "end"}, svg).textContent = String(10 ** e);
  }
  el("text", {x: W - R, y: H - 6, "text-anchor": "end"}, svg).textContent = "samples seen: " + xmax.toLocaleString();
  const legend = el("text", {x: L + 4, y: T + 12}, svg);
  [["KL[p_data ‖ p_model]", "#c0392b"], ["  NLL", "#2c6fbb"], ["  variational gap", "#7d3c98"], ["  (bits, log scale)", "#555"]].forEach(([t, c]) => {
    el("tspan", {fill: c}, legend).textContent = t;
  });
  // At most about two points per pixel column: a long run's thousands of
  // evaluations draw as fast as a short one's.
  const every = Math.max(1, Math.floor(hist.length / (2 * (W - L - R))));
  const drawn = hist.map((p, i) => i).filter(i => i % every === 0 || i === hist.length - 1);
  const line = (vals, cls) => el("polyline", {class: cls, points: drawn.map(i => X(hist[i].Samples) + "," + Y(vals[i])).join(" ")}, svg);
  line(nlls, "nll");
  line(kls, "kl");
  if (hist.some(p => p.Gap !== undefined)) line(hist.map(p => p.Gap === undefined ? 1e-4 : Math.max(p.Gap, 1e-4)), "gap");
  hover(svg, tip, hist, X, T, H - B, p => Y(p.KL), p => "KL " + p.KL.toFixed(4) + " bits · NLL " + p.NLL.toFixed(4) +
    (p.Gap !== undefined ? " · gap " + p.Gap.toFixed(4) : ""));
}

// hover shows, under the mouse, a cursor from y0 to y1 at the nearest
// evaluation and a readout beside it at height y(p): its step, samples
// and text(p).
function hover(svg, tip, hist, X, y0, y1, y, text) {
  const cursor = el("line", {class: "cursor", y1: y0, y2: y1, x1: -10, x2: -10}, svg);
  svg.onmousemove = ev => {
    const r = svg.getBoundingClientRect(), mx = ev.clientX - r.left;
    let best = 0;
    hist.forEach((p, i) => { if (Math.abs(X(p.Samples) - mx) < Math.abs(X(hist[best].Samples) - mx)) best = i; });
    const p = hist[best];
    cursor.setAttribute("x1", X(p.Samples)); cursor.setAttribute("x2", X(p.Samples));
    tip.hidden = false;
    tip.style.left = (X(p.Samples) + 12) + "px"; tip.style.top = (y(p) - 10) + "px";
    tip.textContent = "step " + p.Step.toLocaleString() + " · samples " + p.Samples.toLocaleString() + " · " + text(p);
  };
  svg.onmouseleave = () => { tip.hidden = true; };
}

// drawHeldOut draws the cost −log p(v) of the training and validation
// examples (bits, a linear axis fitted to them) against the samples seen,
// with a hover readout: such a data set's KL and entropy are its training
// examples' alone, no floor for held-out data.
function drawHeldOut(svg, tip, hist) {
  const W = +svg.getAttribute("width"), H = +svg.getAttribute("height");
  const L = 50, R = 10, T = 24, B = 30;
  const xs = hist.map(p => p.Samples), train = hist.map(p => p.NLL);
  const valid = hist.map(p => p.Valid === undefined ? NaN : p.Valid);
  const vals = train.concat(valid.filter(v => !isNaN(v)));
  const xmax = Math.max(1, ...xs);
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) / 20; lo -= pad; hi += pad;
  const X = s => L + s / xmax * (W - L - R);
  const Y = v => T + (hi - v) / (hi - lo) * (H - T - B);
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 4));
  const tick = [1, 2, 5, 10].map(k => k * step).find(d => (hi - lo) / d <= 6);
  for (let v = Math.ceil(lo / tick) * tick; v <= hi; v += tick) {
    el("line", {x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: "grid"}, svg);
    el("text", {x: L - 4, y: Y(v) + 4, "text-anchor": "end"}, svg).textContent = String(+v.toPrecision(6));
  }
  el("text", {x: W - R, y: H - 6, "text-anchor": "end"}, svg).textContent = "samples seen: " + xmax.toLocaleString();
  const legend = el("text", {x: L + 4, y: T - 8}, svg);
  [["−log p(v) per example: training examples", "#2c6fbb"], ["  validation examples", "#c0392b"], ["  (bits)", "#555"]].forEach(([t, c]) => {
    el("tspan", {fill: c}, legend).textContent = t;
  });
  const every = Math.max(1, Math.floor(hist.length / (2 * (W - L - R))));
  const drawn = hist.map((p, i) => i).filter(i => i % every === 0 || i === hist.length - 1);
  const line = (vals, cls) => {
    const pts = drawn.filter(i => !isNaN(vals[i])).map(i => X(hist[i].Samples) + "," + Y(vals[i]));
    el("polyline", {class: cls, points: pts.join(" ")}, svg);
  };
  line(train, "train");
  line(valid, "valid");
  hover(svg, tip, hist, X, T, H - B, p => Y(p.NLL), costs);
}

function runPage(sec) {
  const run = sec.dataset.run, svg = document.getElementById("curve"), tip = document.getElementById("tip");
  const status = document.getElementById("status"), latest = document.getElementById("latest");
  const slider = document.getElementById("slider");
  let hist = [], next = 0, steps = slider ? slider.dataset.steps.split(",").map(Number) : [], followed = Date.now();
  const enc = run.split("/").map(encodeURIComponent).join("/");
  function show() {
    if (!slider) return;
    const step = steps[+slider.value];
    document.getElementById("step").textContent = step.toLocaleString();
    const p = hist.find(q => q.Step === step);
    document.getElementById("pointkl").textContent = !p ? "" : heldOut(hist) ? costs(p) : "KL " + p.KL.toFixed(4) + " bits";
    document.querySelectorAll("img[data-fig]").forEach(img => {
      img.src = "/fig/" + img.dataset.fig + "/" + enc + "?step=" + step;
    });
    fetch("/api/units/" + enc + "?step=" + step).then(r => r.text()).then(t => { document.getElementById("units").textContent = t; });
  }
  function poll() {
    fetch("/api/run/" + enc + "?since=" + next).then(r => r.json()).then(d => {
      if (d.error) { latest.textContent = d.error; return; }
      hist = hist.concat(d.history || []);
      next = d.next;
      drawCurves(svg, tip, hist);
      const last = hist[hist.length - 1];
      if (last) latest.textContent = "latest: step " + last.Step.toLocaleString() + ", " +
        (heldOut(hist) ? costs(last) : "KL " + last.KL.toFixed(4) + " bits, NLL " + last.NLL.toFixed(4) + " bits") + " (" + d.estimator + ")";
      status.textContent = d.status; status.className = "status " + d.status;
      if (slider && d.steps && d.steps.length > steps.length) {
        const atEnd = +slider.value === steps.length - 1;
        steps = d.steps; slider.max = steps.length - 1;
        // Follow the newest snapshot, redrawing its figures at most every
        // few seconds: each new state's figures cost the server a render.
        if (atEnd && Date.now() - followed > 3000) { slider.value = steps.length - 1; show(); followed = Date.now(); }
      } else if (!slider && d.steps && d.steps.length) {
        location.reload(); // the first snapshot: draw the slider
        return;
      }
      if (d.status === "running") setTimeout(poll, 1000);
    });
  }
  if (slider) { slider.addEventListener("input", show); show(); }
  poll();
}

function modelPage() {
  const sec = document.getElementById("curves"), units = document.getElementById("units");
  if (sec && sec.dataset.history) {
    const hist = JSON.parse(document.getElementById(sec.dataset.history).textContent || "[]");
    drawCurves(document.getElementById("curve"), document.getElementById("tip"), hist);
  }
  if (units && units.dataset.src) fetch(units.dataset.src).then(r => r.text()).then(t => { units.textContent = t; });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.sortable").forEach(sortable);
  const filter = document.getElementById("filter");
  if (filter) filter.addEventListener("change", () => {
    document.querySelectorAll("#results tbody tr").forEach(tr => {
      tr.hidden = filter.value !== "" && tr.dataset.recipe !== filter.value;
    });
  });
  const sec = document.getElementById("curves");
  if (sec && sec.dataset.run !== undefined) runPage(sec); else modelPage();
});
