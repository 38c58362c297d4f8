// Teacher's sequence keys (st.components.v2, no iframe): → next point, ← previous point, R reveals
// the lesson's answer. Installed once per tab; never while the focus is in something one types
// into or moves with the arrow keys (inputs, selects, sliders, editable text).
const TYPING = "input, textarea, select, [contenteditable=''], [contenteditable='true'], " +
  "[role='slider'], [role='combobox'], [role='textbox'], [role='spinbutton'], [role='listbox']";
const TARGETS = {
  ArrowRight: ".st-key-sequence-next a",
  ArrowLeft: ".st-key-sequence-previous a",
  r: "[class*='st-key-lessons-reveal-'] button:not([disabled])",
};

function typing(el) {
  return !!(el && el.closest && el.closest(TYPING));
}

function onKey(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  if (typing(event.target) || typing(document.activeElement)) return;
  const selector = TARGETS[event.key.length === 1 ? event.key.toLowerCase() : event.key];
  const target = selector && document.querySelector(selector);
  if (!target) return;
  event.preventDefault();
  event.stopPropagation();  // R is also Streamlit's "rerun" key: one action per press
  target.click();
}

export default function render() {
  if (window.__lstmLensSequenceKeys) return;
  window.__lstmLensSequenceKeys = true;
  window.addEventListener("keydown", onKey, true);
}
