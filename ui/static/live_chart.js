// LSTM Lens chart renderer (st.components.v2, no iframe): draws a Plotly figure and, on every
// later run, updates the same <div> with Plotly.react. st.plotly_chart hashes the figure into
// its element id, so a changed figure is a new element: a full Plotly.newPlot each rerun.
// The look follows st.plotly_chart(theme="streamlit"): its processed template, bold titles,
// its modebar (no logo, no lasso/select, a fullscreen button) and its width/height rules.
const STORE = "__lstmLensCharts";
const shared = (window[STORE] = window[STORE] || {});

const asset = (dir, name) => new URL(`component/ui.charts.${dir}/${name}`, document.baseURI).href;

// plotly.js: the app's own cartesian bundle (scatter, heatmap and the layout parts the app uses:
// 1.5 MB, a third of Streamlit's full PlotlyChart chunk, which the app never loads), at the
// version the plotly package bundles. Should it fail, the package's full bundle. Each is
// fetched once per version into the HTTP cache (the component route sends no validators, so a
// plain <script src> would download it again on every page load). Kept by reference: a plot
// must be updated by the library that drew it.
function loadScript(url) {
  return fetch(url, {cache: "force-cache"})
    .then((r) => { if (!r.ok) throw new Error(`plotly.js: HTTP ${r.status}`); return r.text(); })
    .then((code) => new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = URL.createObjectURL(new Blob([code], {type: "text/javascript"}));
      script.onload = () => (window.Plotly && typeof window.Plotly.react === "function"
        ? resolve(window.Plotly) : reject(new Error("plotly.js did not define Plotly")));
      script.onerror = () => reject(new Error("plotly.js did not run"));
      document.head.appendChild(script);
    }));
}

function loadPlotly() {
  shared.plotly = shared.plotly
    || loadScript(asset("assets", "__PLOTLY_BUNDLE__?v=__PLOTLY_VERSION__"))
      .catch(() => loadScript(asset("plotlyjs", "plotly.min.js?v=__PLOTLY_VERSION__")))
      .catch((e) => { shared.plotly = null; throw e; });
  return shared.plotly;
}

function loadTemplate() {
  shared.template = shared.template || fetch(asset("assets", "plotly_streamlit_template.json"))
    .then((r) => { if (!r.ok) throw new Error(`theme: HTTP ${r.status}`); return r.json(); })
    .catch((e) => { shared.template = null; throw e; });
  return shared.template;
}

// Plotly's own translation of its toolbar and tooltips (vendored from the plotly.js npm package
// of the bundled version: ui/static/plotly_locale_*.json), registered once per tab.
function loadLocale(Plotly, name) {
  if (!name || name === "en") return Promise.resolve();
  shared.locales = shared.locales || {};
  shared.locales[name] = shared.locales[name] || fetch(
    asset("assets", `plotly_locale_${name.toLowerCase().replace("-", "_")}.json`))
    .then((r) => { if (!r.ok) throw new Error(`locale: HTTP ${r.status}`); return r.json(); })
    .then(({moduleType, name: localeName, dictionary, format}) => Plotly.register(
      {moduleType, name: localeName, dictionary, format}))
    .catch((e) => { shared.locales[name] = null; console.error("LSTM Lens locale", e); });
  return shared.locales[name];
}

// Streamlit's fullscreen modebar icons (font-awesome "expand" / "compress").
const EXPAND = {width: 600, height: 470, path: "M32 32C14.3 32 0 46.3 0 64v96c0 17.7 14.3 32 32 32s32-14.3 32-32V96h64c17.7 0 32-14.3 32-32s-14.3-32-32-32H32zM64 352c0-17.7-14.3-32-32-32s-32 14.3-32 32v96c0 17.7 14.3 32 32 32h96c17.7 0 32-14.3 32-32s-14.3-32-32-32H64V352zM320 32c-17.7 0-32 14.3-32 32s14.3 32 32 32h64v64c0 17.7 14.3 32 32 32s32-14.3 32-32V64c0-17.7-14.3-32-32-32H320zM448 352c0-17.7-14.3-32-32-32s-32 14.3-32 32v64H320c-17.7 0-32 14.3-32 32s14.3 32 32 32h96c17.7 0 32-14.3 32-32V352z"};
const COMPRESS = {width: 600, height: 470, path: "M160 64c0-17.7-14.3-32-32-32s-32 14.3-32 32v64H32c-17.7 0-32 14.3-32 32s14.3 32 32 32h96c17.7 0 32-14.3 32-32V64zM32 320c-17.7 0-32 14.3-32 32s14.3 32 32 32H96v64c0 17.7 14.3 32 32 32s32-14.3 32-32V352c0-17.7-14.3-32-32-32H32zM352 64c0-17.7-14.3-32-32-32s-32 14.3-32 32v96c0 17.7 14.3 32 32 32h96c17.7 0 32-14.3 32-32s-14.3-32-32-32H352V64zM320 320c-17.7 0-32 14.3-32 32v96c0 17.7 14.3 32 32 32s32-14.3 32-32V384h64c17.7 0 32-14.3 32-32s-14.3-32-32-32H320z"};

function size(box, fig) {
  if (box.lensFullscreen) {
    return {width: window.innerWidth, height: window.innerHeight - (box.lensStrip ? STRIP_PX : 0)};
  }
  const h = fig.layout.height;
  return {width: Math.max(box.clientWidth, 150), height: typeof h === "number" && h >= 10 ? h : 450};
}

// Plotly.react redraws from scratch when the config differs (functions by identity): build it
// once per chart and per fullscreen state.
function plotConfig(box, config) {
  const labels = box.lensLabels || {};
  const key = JSON.stringify([config, !!box.lensFullscreen, labels]);
  if (box.lensConfig && box.lensConfig.key === key) return box.lensConfig.value;
  const remove = [...(config.modeBarButtonsToRemove || [])];
  for (const name of ["lasso2d", "select2d", "sendChartToCloud"]) {
    if (!remove.includes(name)) remove.push(name);
  }
  const label = box.lensFullscreen ? labels.close || "Close fullscreen"
                                   : labels.open || "Fullscreen";
  const toggle = {name: label, title: label, icon: box.lensFullscreen ? COMPRESS : EXPAND,
                  click: box.lensToggle};
  const value = {displaylogo: false, showSendToCloud: false, ...config,
                 modeBarButtonsToRemove: remove,
                 modeBarButtonsToAdd: [toggle, ...(config.modeBarButtonsToAdd || [])]};
  box.lensConfig = {key, value};
  return value;
}

// Opening or closing fullscreen rebuilds the toolbar (its button changes): focus goes back to
// that button, not to the page's body.
function setFullscreen(box, on) {
  box.lensFullscreen = on;
  box.classList.toggle("lens-chart-fullscreen", on);
  const labels = box.lensLabels || {};
  const label = on ? labels.close || "Close fullscreen" : labels.open || "Fullscreen";
  draw(box).then(() => {
    const buttons = toolbarButtons(box);
    const button = buttons.find((b) => b.getAttribute("data-title") === label);
    if (button) {
      box.lensToolIndex = buttons.indexOf(button);
      rovingToolbar(box);
      button.focus();
    }
  });
}

function draw(box) {
  const {Plotly, fig, config} = box.lensLatest;
  // On a touch screen or a narrow chart the toolbar gets a strip of its own above the plot:
  // there it covers no title or legend, and it is shown without hovering.
  box.lensStrip = box.clientWidth < NARROW_PX || window.matchMedia("(hover: none)").matches;
  box.classList.toggle("lens-chart-strip", box.lensStrip);
  const layout = {...fig.layout, ...size(box, fig)};
  if (!box.lensFullscreen) box.lensWidth = layout.width;
  box.lensDrawn = box.lensDrawn.then(() => Plotly.react(
    box.lensPlot, {data: fig.data, layout, frames: fig.frames || undefined,
                   config: plotConfig(box, config)}))
    .then(() => { accessible(box); box.lensPlot.dispatchEvent(new CustomEvent("lens:drawn")); })
    .catch((e) => console.error("LSTM Lens chart", e));
  return box.lensDrawn;
}

function themed(fig, template) {
  const layout = fig.layout || {};
  if (fig.streamlitTemplate) layout.template = template;
  if (layout.title !== undefined && layout.title !== null) {
    const title = typeof layout.title === "string" ? {text: layout.title} : {...layout.title};
    title.text = `<b>${typeof title.text === "string" ? title.text : ""}</b>`;
    layout.title = title;
  }
  return {data: fig.data || [], layout, frames: fig.frames || null};
}

// -- keyboard and screen readers ----------------------------------------------------------------
const STRIP_PX = 30;
const NARROW_PX = 640;

function toolbarButtons(box) {
  return [...box.lensPlot.querySelectorAll(".modebar-btn")];
}

// One Tab stop per toolbar (the button last used), arrow keys move along it.
function rovingToolbar(box) {
  const buttons = toolbarButtons(box);
  const current = Math.min(box.lensToolIndex || 0, buttons.length - 1);
  buttons.forEach((b, k) => { b.tabIndex = k === current ? 0 : -1; });
}

function toolbarKeys(box, e) {
  const buttons = toolbarButtons(box);
  const at = buttons.indexOf(e.target);
  if (at < 0) return;
  const moves = {ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
                 Home: 0, End: buttons.length - 1};
  if (!(e.key in moves)) return;
  e.preventDefault();
  box.lensToolIndex = (moves[e.key] + buttons.length) % buttons.length;
  rovingToolbar(box);
  buttons[box.lensToolIndex].focus();
}

function stepSlider(box) {
  const slider = (box.lensPlot.layout && box.lensPlot.layout.sliders || [])[0];
  const frames = (box.lensLatest && box.lensLatest.fig.frames) || [];
  return slider && frames.length && (slider.steps || []).length ? slider : null;
}

function stepText(box, step, steps) {
  const template = (box.lensLabels || {}).stepOf || "step {step} of {steps}";
  return template.replace("{step}", String(step)).replace("{steps}", String(steps));
}

// The step shown (1-based) in the control's value and, when it is not playing, in the live region.
function announce(box, index) {
  const slider = stepSlider(box);
  if (!slider || !box.lensStepControl) return;
  const steps = slider.steps.length;
  const text = stepText(box, index + 1, steps);
  const control = box.lensStepControl;
  box.lensStepIndex = index;
  control.setAttribute("aria-valuenow", String(index + 1));
  control.setAttribute("aria-valuetext", text);
  if (!box.lensPlaying) box.lensLive.textContent = text;
}

// The step shown: the last one animated to, else the slider's own (a new figure's).
function shownIndex(box, slider) {
  if (Number.isInteger(box.lensStepIndex) && box.lensStepIndex < slider.steps.length) {
    return box.lensStepIndex;
  }
  const active = Number(slider.active);
  return Number.isInteger(active) ? Math.min(Math.max(active, 0), slider.steps.length - 1) : 0;
}

// Moves and plays go through Plotly.animate with the slider's and the play buttons' own
// arguments: the slider follows and the same plotly_* events fire as for the mouse.
function stepKeys(box, e) {
  const slider = stepSlider(box);
  if (!slider) return;
  const {Plotly} = box.lensLatest;
  const gd = box.lensPlot;
  const last = slider.steps.length - 1;
  const at = shownIndex(box, slider);
  const moves = {ArrowRight: at + 1, ArrowUp: at + 1, ArrowLeft: at - 1, ArrowDown: at - 1,
                 PageUp: at + 10, PageDown: at - 10, Home: 0, End: last};
  if (e.key in moves) {
    e.preventDefault();
    if (box.lensPlaying) pause(box);
    const to = Math.min(Math.max(moves[e.key], 0), last);
    if (to !== at) Plotly.animate(gd, ...slider.steps[to].args);
    else announce(box, at);
  } else if (e.key === " " || e.key === "Spacebar") {
    e.preventDefault();
    if (box.lensPlaying) { pause(box); return; }
    const buttons = (gd.layout.updatemenus || []).flatMap((m) => m.buttons || []);
    const play = buttons.find((b) => b.method === "animate" && b.args && b.args[0] === null);
    if (!play) return;
    // plotly.js plays "from current" the frame it last animated: the one shown, or from the
    // start when the last step is shown.
    gd._fullLayout._currentFrame = at === last ? undefined : String(slider.steps[at].args[0][0]);
    box.lensPlaying = true;
    Plotly.animate(gd, ...play.args);
  }
}

function pause(box) {
  const gd = box.lensPlot;
  const buttons = (gd.layout.updatemenus || []).flatMap((m) => m.buttons || []);
  const stop = buttons.find((b) => b.method === "animate" && Array.isArray(b.args[0])
                                   && b.args[0][0] === null);
  box.lensPlaying = false;
  if (!stop) return;
  box.lensLatest.Plotly.animate(gd, ...stop.args).then(() => {
    const slider = stepSlider(box);
    if (slider) announce(box, shownIndex(box, slider));
  });
}

// A focusable control laid over the in-chart slider and play buttons (the SVG is hidden from
// assistive technology and cannot take focus), and a live region announcing the step.
function stepControl(box) {
  const slider = stepSlider(box);
  if (!slider) {
    if (box.lensStepControl) box.lensStepControl.hidden = true;
    return;
  }
  const gd = box.lensPlot;
  if (!box.lensStepControl) {
    const control = document.createElement("div");
    control.className = "lens-step-control";
    control.tabIndex = 0;
    control.setAttribute("role", "slider");
    control.setAttribute("aria-valuemin", "1");
    control.setAttribute("aria-keyshortcuts", "ArrowLeft ArrowRight Home End Space");
    control.addEventListener("keydown", (e) => stepKeys(box, e));
    const live = document.createElement("div");
    live.className = "lens-live";
    live.setAttribute("aria-live", "polite");
    live.setAttribute("aria-atomic", "true");
    box.insertBefore(live, gd);
    box.insertBefore(control, gd);
    box.lensStepControl = control;
    box.lensLive = live;
    gd.on("plotly_sliderchange", (ev) => announce(box, ev.step._index));
    gd.on("plotly_animatingframe", (ev) => {
      const current = stepSlider(box);
      if (!current) return;
      const k = current.steps.findIndex((st) => String(st.args[0][0]) === String(ev.name));
      announce(box, k >= 0 ? k : shownIndex(box, current));
    });
    gd.on("plotly_buttonclicked", (ev) => {
      box.lensPlaying = !!(ev.button && ev.button.args && ev.button.args[0] === null);
    });
    const stopped = () => {
      if (!box.lensPlaying) return;
      box.lensPlaying = false;
      const current = stepSlider(box);
      if (current) announce(box, shownIndex(box, current));
    };
    gd.on("plotly_animated", stopped);
    gd.on("plotly_animationinterrupted", stopped);
  }
  const control = box.lensStepControl;
  const labels = box.lensLabels || {};
  control.hidden = false;
  control.setAttribute("aria-label", labels.stepControl || "Step");
  control.title = labels.stepKeys || "";
  control.setAttribute("aria-valuemax", String(slider.steps.length));
  // Over the slider and the play buttons: the focus ring shows what the keys drive.
  const parts = [...gd.querySelectorAll(".slider-container, .updatemenu-container")]
    .map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0);
  if (parts.length) {
    const origin = box.getBoundingClientRect();
    const left = Math.min(...parts.map((r) => r.left)) - origin.left;
    const top = Math.min(...parts.map((r) => r.top)) - origin.top;
    Object.assign(control.style, {
      left: `${left - 4}px`, top: `${top - 4}px`,
      width: `${Math.max(...parts.map((r) => r.right)) - origin.left - left + 8}px`,
      height: `${Math.max(...parts.map((r) => r.bottom)) - origin.top - top + 8}px`});
  }
  box.lensStepIndex = undefined;  // drawn anew: the figure's slider says which step is shown
  announce(box, shownIndex(box, slider));
}

// The table twin (ui/charts.py, a container keyed "<chart key>.twin"): the figure's details.
function linkTwin(box, tries = 0) {
  const wanted = box.lensLatest && box.lensLatest.table;
  const holder = box.closest("[class*='st-key-']");
  const key = holder && [...holder.classList].find((c) => c.startsWith("st-key-"));
  const twin = wanted && key && document.querySelector(`.${CSS.escape(key)}-twin`);
  if (!twin) {
    box.removeAttribute("aria-details");
    box.removeAttribute("aria-describedby");
    if (wanted && tries < 25) window.setTimeout(() => linkTwin(box, tries + 1), 200);
    return;
  }
  twin.id = twin.id || `lens-twin-${key.slice(7)}`;
  box.setAttribute("aria-details", twin.id);
  const caption = twin.querySelector("[data-testid='stCaptionContainer']");
  if (caption) {
    caption.id = caption.id || `${twin.id}-caption`;
    box.setAttribute("aria-describedby", caption.id);
  }
}

// After every draw: the figure is one named image (its SVG layers hidden from the
// accessibility tree), its toolbar one Tab stop, its step slider a keyboard control.
function accessible(box) {
  box.lensPlot.querySelectorAll("svg.main-svg, .modebar-btn svg")
    .forEach((svg) => svg.setAttribute("aria-hidden", "true"));
  rovingToolbar(box);
  stepControl(box);
  linkTwin(box);
}

// The box itself comes from the component's HTML, so it is on the page as soon as the element
// is (tests and benchmarks wait for every box's .main-svg); its plot is made here, once.
function mount(box) {
  const plot = document.createElement("div");
  plot.className = "js-plotly-plot";  // plotly.js's own styles (modebar, hover) are scoped to it
  box.appendChild(plot);
  box.lensPlot = plot;
  box.lensDrawn = Promise.resolve();
  box.lensGeneration = 0;
  box.lensToggle = () => setFullscreen(box, !box.lensFullscreen);
  box.lensResize = new ResizeObserver(() => {
    if (box.lensLatest && !box.lensFullscreen
        && size(box, box.lensLatest.fig).width !== box.lensWidth) draw(box);
  });
  box.lensResize.observe(box);
  box.lensKeys = (e) => { if (e.key === "Escape" && box.lensFullscreen) setFullscreen(box, false); };
  plot.addEventListener("keydown", (e) => toolbarKeys(box, e));
  document.addEventListener("keydown", box.lensKeys);
  // Streamlit keeps the last cleanup returned and calls it when the element goes away; it also
  // calls a superseded run's at once, while the element is still on the page.
  box.lensCleanup = () => {
    if (box.isConnected) return;
    box.lensResize.disconnect();
    document.removeEventListener("keydown", box.lensKeys);
    if (box.lensLatest) box.lensLatest.Plotly.purge(plot);
  };
  return box;
}

export default async function render({data, parentElement}) {
  const text = new TextDecoder().decode(data);
  const box = parentElement.querySelector(".lens-chart");
  if (!box.lensPlot) mount(box);
  const generation = ++box.lensGeneration;
  if (text === box.lensText) return box.lensCleanup;  // the same figure: nothing to redraw
  box.lensText = text;
  const message = JSON.parse(text);
  box.lensLabels = message.labels;
  if (message.alt) {
    box.setAttribute("role", "figure");
    box.setAttribute("aria-label", message.alt);
  } else {
    box.removeAttribute("role");
    box.removeAttribute("aria-label");
  }
  const [Plotly, template] = await Promise.all([
    loadPlotly(), message.spec.streamlitTemplate ? loadTemplate() : null]);
  await loadLocale(Plotly, message.config.locale);
  if (generation === box.lensGeneration) {  // a newer run's figure supersedes this one
    box.lensLatest = {Plotly, fig: themed(message.spec, template), config: message.config,
                      table: !!message.table};
    await draw(box);
  }
  return box.lensCleanup;
}
