// "Share this view": the link and the JSON file of the view on screen. The server sends the
// link of its state; parameters the browser changes without a rerun (the Step-Through's
// in-chart step, written into the address bar by step_sync.js) are taken from the address bar
// each time it changes ("lens:url"), so the link always holds what is shown.
const VALUE = /^[0-9A-Za-z_.,-]{1,40}$/;

function current(d) {
  const url = new URL(d.link);
  const params = {...d.params};
  const here = new URL(window.location.href);
  if (here.pathname.replace(/\/+$/, "").endsWith("/" + d.page)) {
    for (const name of d.live || []) {
      const value = here.searchParams.get(name);
      if (value !== null && VALUE.test(value)) {
        url.searchParams.set(name, value);
        params[name] = value;
      }
    }
  }
  return {link: url.toString(), params};
}

function update(box) {
  const d = box.lensData;
  const {link, params} = current(d);
  box.lensLink.textContent = link;
  box.lensJson = JSON.stringify({app: "lstm-lens", page: d.page, params}, null, 2);
}

function copy(box) {
  const done = () => {
    box.lensCopy.textContent = box.lensData.labels.copied;
    setTimeout(() => { box.lensCopy.textContent = box.lensData.labels.copy; }, 1500);
  };
  const select = () => {
    const range = document.createRange();
    range.selectNodeContents(box.lensLink);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  };
  update(box);
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(box.lensLink.textContent).then(done, select);
  } else {
    select();
  }
}

function download(box) {
  update(box);
  const blob = new Blob([box.lensJson], {type: "application/json"});
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = box.lensData.filename;
  document.body.appendChild(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 0);
}

function mount(box) {
  box.lensLink = box.querySelector(".lens-share-link");
  box.lensCopy = box.querySelector(".lens-share-copy");
  box.lensDownload = box.querySelector(".lens-share-download");
  box.lensCopy.addEventListener("click", () => copy(box));
  box.lensDownload.addEventListener("click", () => download(box));
  box.lensListener = () => update(box);
  window.addEventListener("lens:url", box.lensListener);
  window.addEventListener("popstate", box.lensListener);
  box.lensCleanup = () => {
    if (box.isConnected) return;  // a superseded run's cleanup: the element is still shown
    window.removeEventListener("lens:url", box.lensListener);
    window.removeEventListener("popstate", box.lensListener);
  };
}

export default function render({data, parentElement}) {
  const box = parentElement.querySelector(".lens-share");
  if (!box.lensLink) mount(box);
  box.lensData = data;
  box.lensCopy.textContent = data.labels.copy;
  box.lensDownload.textContent = data.labels.download;
  update(box);
  return box.lensCleanup;
}
