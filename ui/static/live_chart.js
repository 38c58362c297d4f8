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

// Streamlit's fullscreen modebar icons (font-awesome "expand" / "compress").
const EXPAND = {width: 600, height: 470, path: "M32 32C14.3 32 0 46.3 0 64v96c0 17.7 14.3 32 32 32s32-14.3 32-32V96h64c17.7 0 32-14.3 32-32s-14.3-32-32-32H32zM64 352c0-17.7-14.3-32-32-32s-32 14.3-32 32v96c0 17.7 14.3 32 32 32h96c17.7 0 32-14.3 32-32s-14.3-32-32-32H64V352zM320 32c-17.7 0-32 14.3-32 32s14.3 32 32 32h64v64c0 17.7 14.3 32 32 32s32-14.3 32-32V64c0-17.7-14.3-32-32-32H320zM448 352c0-17.7-14.3-32-32-32s-32 14.3-32 32v64H320c-17.7 0-32 14.3-32 32s14.3 32 32 32h96c17.7 0 32-14.3 32-32V352z"};
const COMPRESS = {width: 600, height: 470, path: "M160 64c0-17.7-14.3-32-32-32s-32 14.3-32 32v64H32c-17.7 0-32 14.3-32 32s14.3 32 32 32h96c17.7 0 32-14.3 32-32V64zM32 320c-17.7 0-32 14.3-32 32s14.3 32 32 32H96v64c0 17.7 14.3 32 32 32s32-14.3 32-32V352c0-17.7-14.3-32-32-32H32zM352 64c0-17.7-14.3-32-32-32s-32 14.3-32 32v96c0 17.7 14.3 32 32 32h96c17.7 0 32-14.3 32-32s-14.3-32-32-32H352V64zM320 320c-17.7 0-32 14.3-32 32v96c0 17.7 14.3 32 32 32s32-14.3 32-32V384h64c17.7 0 32-14.3 32-32s-14.3-32-32-32H320z"};

function size(box, fig) {
  if (box.lensFullscreen) return {width: window.innerWidth, height: window.innerHeight};
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

function setFullscreen(box, on) {
  box.lensFullscreen = on;
  box.classList.toggle("lens-chart-fullscreen", on);
  draw(box);
}

function draw(box) {
  const {Plotly, fig, config} = box.lensLatest;
  const layout = {...fig.layout, ...size(box, fig)};
  if (!box.lensFullscreen) box.lensWidth = layout.width;
  box.lensDrawn = box.lensDrawn.then(() => Plotly.react(
    box.lensPlot, {data: fig.data, layout, frames: fig.frames || undefined,
                   config: plotConfig(box, config)}))
    .then(() => box.lensPlot.dispatchEvent(new CustomEvent("lens:drawn")))
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
  if (generation === box.lensGeneration) {  // a newer run's figure supersedes this one
    box.lensLatest = {Plotly, fig: themed(message.spec, template), config: message.config};
    await draw(box);
  }
  return box.lensCleanup;
}
