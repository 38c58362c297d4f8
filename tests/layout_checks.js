(diagramKey) => {
  const problems = [];
  const vw = document.documentElement.clientWidth;
  const name = (e) => (e.dataset.testid || e.tagName) + ' "' + (e.textContent || '').trim().slice(0, 40) + '"';
  const main = document.querySelector('[data-testid="stMain"]');
  for (const e of main.querySelectorAll('[data-testid]')) {
    if (e.closest('[data-testid="stCode"], [data-testid="stDataFrame"], [data-testid="stTable"], .js-plotly-plot')) continue;
    const r = e.getBoundingClientRect();
    if (r.width > 0 && (r.right > vw + 1 || r.left < -1)) problems.push('sticks out: ' + name(e) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
  }
  for (const chart of main.querySelectorAll('[data-testid="lensChart"]')) {
    const box = chart.querySelector('.main-svg').getBoundingClientRect();
    for (const t of chart.querySelectorAll('svg text')) {
      const r = t.getBoundingClientRect();
      if (!r.width || !(t.textContent || '').trim()) continue;
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        problems.push('cut off: "' + t.textContent.slice(0, 40) + '" ' + Math.round(r.left - box.left) + '..' + Math.round(r.right - box.left) + ' of ' + Math.round(box.width));
    }
  }
  const diagram = diagramKey && document.querySelector('.st-key-' + diagramKey + ' .js-plotly-plot');
  if (diagram) {
    // the diagram's labels and boxes: text of the first subplot (x/y), value markers
    const items = [];
    diagram.querySelectorAll('.subplot.xy .textpoint text').forEach((t) => {
      if ((t.textContent || '').trim()) items.push(['"' + t.textContent + '"', t.getBoundingClientRect()]);
    });
    diagram.querySelectorAll('.subplot.xy .points path.point').forEach((p) => {
      const r = p.getBoundingClientRect();
      if (r.width >= 40) items.push(['box', r]);
    });
    const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
    for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
      const [na, a] = items[i], [nb, b] = items[j];
      if (inside(a, b) || inside(b, a)) continue;  // a box's own text
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) problems.push('overlap: ' + na + ' and ' + nb);
    }
  }
  return problems;
}
