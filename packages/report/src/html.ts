/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);
}

/** Formats a percentage with one decimal, or an em dash when absent. */
export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toFixed(1);
}

/** A plain HTML table; cells are escaped, numeric-looking cells right-aligned. */
export function htmlTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[], options: { className?: string } = {}): string {
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const body = rows
    .map((cells) => `<tr>${cells.map((cell) => (typeof cell === 'number' || /^-?[\d.]+%?$|^—$/.test(cell) ? `<td class="num">${escapeHtml(cell)}</td>` : `<td>${escapeHtml(cell)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<table class="${options.className ?? 'data'}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export const reportStyle = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 14px/1.5 Helvetica, Arial, sans-serif; color: #222; margin: 0; background: #fafafa; }
header { background: #1f3a5f; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 2px 0; opacity: 0.9; }
main { max-width: 1180px; margin: 0 auto; padding: 12px 32px 48px; }
section { background: #fff; border: 1px solid #e3e3e3; border-radius: 6px; padding: 16px 20px; margin: 18px 0; }
section h2 { margin: 0 0 10px; font-size: 18px; color: #1f3a5f; }
section h3 { font-size: 15px; margin: 16px 0 6px; }
.findings li { margin: 4px 0; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.chart { overflow-x: auto; max-width: 100%; margin: 0; }
.chart svg { display: block; }
table.data { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
table.data th, table.data td { border-bottom: 1px solid #e6e6e6; padding: 3px 10px; text-align: left; }
table.data th { background: #f3f5f8; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.gallery { display: flex; flex-wrap: wrap; gap: 12px; }
.pair { border: 1px solid #ddd; border-radius: 6px; padding: 8px; width: 236px; background: #fcfcfc; }
.pair .images { display: flex; gap: 6px; }
.pair img, .pair .missing { width: 108px; height: 108px; object-fit: contain; image-rendering: pixelated; background: #eee; border-radius: 3px; }
.pair .missing { display: flex; align-items: center; justify-content: center; font-size: 10px; color: #a00; text-align: center; padding: 4px; }
.pair .sims { font-size: 12px; margin-top: 4px; }
.pair .pattern { font-size: 11px; color: #666; }
.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 8px 0; }
.filters label { font-size: 13px; }
.filters input, .filters select { font: inherit; padding: 2px 6px; }
#answers-table td.response { max-width: 360px; font-family: ui-monospace, Menlo, monospace; font-size: 12px; white-space: pre-wrap; }
tr.right td.mark { color: #2a7d2a; } tr.wrong td.mark { color: #b22; }
.muted { color: #666; font-size: 12px; }
footer { color: #777; font-size: 12px; text-align: center; padding: 16px; }
`;

/** The answers filter: plain DOM, no libraries; rows carry data-model/-pattern/-correct attributes. */
export const answersFilterScript = `
(function () {
  var table = document.getElementById('answers-table');
  if (!table) return;
  var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr'));
  var model = document.getElementById('filter-model');
  var pattern = document.getElementById('filter-pattern');
  var outcome = document.getElementById('filter-outcome');
  var text = document.getElementById('filter-text');
  var count = document.getElementById('filter-count');
  function apply() {
    var shown = 0;
    var needle = text.value.trim().toLowerCase();
    rows.forEach(function (row) {
      var visible = (model.value === '' || row.getAttribute('data-model') === model.value) &&
        (pattern.value === '' || row.getAttribute('data-pattern') === pattern.value) &&
        (outcome.value === '' || row.getAttribute('data-correct') === outcome.value) &&
        (needle === '' || row.textContent.toLowerCase().indexOf(needle) !== -1);
      row.style.display = visible ? '' : 'none';
      if (visible) shown += 1;
    });
    count.textContent = shown + ' of ' + rows.length + ' answers shown';
  }
  [model, pattern, outcome].forEach(function (element) { element.addEventListener('change', apply); });
  text.addEventListener('input', apply);
  apply();
})();
`;
