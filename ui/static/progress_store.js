// Lessons: keep a student's predictions, reveals and quiz answers in this browser's
// localStorage (no account). On a page's first run the server has nothing: send what is stored
// (once per mounted element); afterwards the server sends the session's progress on every run
// and it is written back. Another tab's change arrives as a "storage" event and is sent on.
const KEY = "lstm-lens.progress.v1";
const shared = (window.__lstmLensProgress = window.__lstmLensProgress || {});

function read() {
  try { return window.localStorage.getItem(KEY) || ""; } catch (e) { return ""; }
}

export default function render({data, setTriggerValue, parentElement}) {
  let message = {};
  try { message = typeof data === "string" ? JSON.parse(data) : (data || {}); } catch (e) {}
  shared.send = setTriggerValue;
  if (!shared.listening) {
    shared.listening = true;
    window.addEventListener("storage", (event) => {
      if (event.key === KEY && shared.send) shared.send("stored", event.newValue || "");
    });
  }
  if (!message.loaded) {
    if (!parentElement.__lensProgressSent) {
      parentElement.__lensProgressSent = true;
      setTriggerValue("stored", read());
    }
    return;
  }
  try {
    if (!message.save) window.localStorage.removeItem(KEY);
    else if (message.save !== read()) window.localStorage.setItem(KEY, message.save);
  } catch (e) { /* storage full or disabled: the session still keeps the progress */ }
}
