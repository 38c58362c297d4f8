// Cell Step-Through: keep ?step= in the address bar equal to the step the diagram's slider or
// play buttons show, without a rerun. Streamlit sends the address's query string with the next
// run, so the step survives reruns and is in every link copied from the address bar.
(() => {
  if (window.__lstmLensStepSync) return;
  window.__lstmLensStepSync = true;
  const setStep = (name) => {
    if (!window.location.pathname.endsWith("/step_through") || !/^\d+$/.test(String(name))) return;
    const url = new URL(window.location.href);
    if (url.searchParams.get("step") === String(name)) return;
    url.searchParams.set("step", String(name));
    window.history.replaceState(window.history.state, "", url.toString());
    window.dispatchEvent(new CustomEvent("lens:url"));  // the share link follows (share_link.js)
  };
  // plotly.js plays "from current" only after an animation: start from the shown step. The chart
  // is updated in place on each run (ui/static/live_chart.js), which fires "lens:drawn".
  const startFromShown = (gd) => {
    const slider = (gd.layout.sliders || [])[0];
    if (gd._fullLayout && !gd._fullLayout._currentFrame && slider) {
      gd._fullLayout._currentFrame = String(slider.active + 1);
    }
  };
  const attach = () => {
    document.querySelectorAll(".st-key-step_through-diagram .js-plotly-plot").forEach((gd) => {
      if (gd.__lstmLensStepSync || typeof gd.on !== "function") return;
      gd.__lstmLensStepSync = true;
      startFromShown(gd);
      gd.addEventListener("lens:drawn", () => startFromShown(gd));
      gd.on("plotly_animatingframe", (event) => setStep(event.name));
      gd.on("plotly_sliderchange", (event) => setStep(event.step.args[0][0]));
    });
  };
  window.setInterval(attach, 400);
})();
