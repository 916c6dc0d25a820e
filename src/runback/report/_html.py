"""The page around the charts: one HTML file, no network request of any kind.

plotly.js goes into the page once (or, for a team report, into one
``plotly.min.js`` beside the pages); each figure is a JSON blob that a few
lines of script hand to ``Plotly.newPlot``.  Fonts are the reader's system
fonts, so nothing is fetched.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from functools import lru_cache

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from runback.report._i18n import PLOTLY_LOCALES

# Okabe & Ito (2008), safe for the common forms of colour blindness.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

CSS = """
:root { --fg:#1a1a1a; --muted:#555; --line:#ddd; --accent:#0072B2; --warn:#D55E00; --bg:#fff; }
* { box-sizing: border-box; }
body { font-family: %(font)s; color: var(--fg); background: var(--bg); margin: 0; line-height: 1.45; }
main { max-width: 1000px; margin: 0 auto; padding: 0.75rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0 0.25rem; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 0.4rem; border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; }
h3 { font-size: 1rem; margin: 0.8rem 0 0.3rem; }
p.lead, .muted { color: var(--muted); }
.facts { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; margin: 0.6rem 0; padding: 0; list-style: none; }
.facts li b { display: block; font-size: 1.25rem; }
.status { border-left: 4px solid var(--accent); padding: 0.3rem 0.8rem; background: #f4f8fb; }
.status.flagged { border-left-color: var(--warn); background: #fdf5ef; }
.status ul { padding-left: 1.2rem; margin: 0.3rem 0; }
.rb-plot { width: 100%%; min-height: 240px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%%; font-size: 0.9rem; }
th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.45rem; border-bottom: 1px solid var(--line); }
th { background: #f3f3f3; }
table.sortable th { cursor: pointer; user-select: none; white-space: nowrap; }
table.sortable th[aria-sort=ascending]::after { content: " \\25B2"; }
table.sortable th[aria-sort=descending]::after { content: " \\25BC"; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.evidence { font-size: 0.8rem; color: var(--muted); min-width: 14rem; }
details { margin: 1.2rem 0; border: 1px solid var(--line); border-radius: 4px; padding: 0.3rem 0.7rem; }
details summary { cursor: pointer; font-weight: 600; font-size: 1.1rem; }
.caveat { border-left: 4px solid var(--warn); padding: 0.3rem 0.7rem; background: #fdf5ef; }
.months { display: flex; flex-wrap: wrap; gap: 0.8rem; }
.month { font-size: 0.75rem; }
.month caption { font-weight: 600; text-align: left; padding-bottom: 0.2rem; }
.month td, .month th { width: 1.7rem; height: 1.5rem; padding: 0; text-align: center; border: 1px solid #fff; }
.month th { background: none; color: var(--muted); font-weight: normal; }
.d-rest { background: #eeeeee; }
.d-other { background: #F0E442; }
.d-run1 { background: #a6d4ee; } .d-run2 { background: #56B4E9; }
.d-run3 { background: #0072B2; color: #fff; } .d-run4 { background: #00446b; color: #fff; }
.legend span { display: inline-block; width: 1em; height: 1em; vertical-align: middle; margin: 0 0.3em 0 0.8em; }
.badge { display: inline-block; border-radius: 3px; padding: 0 0.35em; margin: 0.1em 0.2em 0.1em 0;
         font-size: 0.8rem; border: 1px solid var(--line); }
.sev3, .sev4, .sev5 { border-color: var(--warn); background: #fbe3d3; }
.sev2 { border-color: #E69F00; background: #fdf0d2; }
footer { margin: 2rem 0 1rem; padding-top: 0.6rem; border-top: 1px solid var(--line); font-size: 0.85rem; color: var(--muted); }
table.flags td:nth-child(2) { min-width: 12rem; }
/* heuristic, weak-evidence flags: quieter than the evidence-backed ones */
tr.quiet, li.quiet, .badge.quiet { color: var(--muted); }
.badge.quiet { border-style: dashed; background: #f7f7f7; }
.status li.pain { font-weight: 500; }
.status .event-story { font-weight: 600; }
table.events tr.pain-after td:last-child { color: var(--warn); font-weight: 600; }
details.rule-evidence { margin: 0.5rem 0; }
details.msg { margin: 0.1rem 0 0; border: none; padding: 0; }
details.msg summary { font-size: 0.8rem; font-weight: normal; color: var(--muted); }
details.msg[open] { font-size: 0.85rem; }
table.flags td:first-child { white-space: nowrap; }
details.rule-evidence summary { font-size: 1rem; }
details.rule-evidence.quiet summary { color: var(--muted); font-weight: 500; }
.strength { font-weight: normal; color: var(--muted); font-size: 0.9rem; }
.chart-legend { font-size: 0.85rem; margin: 0.2rem 0; }
.chart-legend .key { display: inline-block; width: 1em; height: 1em; vertical-align: middle; margin: 0 0.3em 0 0.6em; }
.chart-legend .key.hatched { background-image: repeating-linear-gradient(45deg, transparent 0 2px, #fff 2px 4px) !important; }
ul.outside { font-size: 0.85rem; color: var(--muted); }
.scroll-cue { display: none; font-size: 0.8rem; color: var(--muted); margin: 0.2rem 0; }
.badge.pain-high { border-color: #b00020; background: #f9d5d9; font-weight: 600; }
.badge.stale { border-color: #999; background: #eee; }
@media (max-width: 600px) {
  .scroll-cue { display: block; }
  .table-wrap { box-shadow: inset -12px 0 8px -8px rgba(0,0,0,0.25); }
  .month { font-size: 0.75rem; }
  main { padding: 0.4rem; } h1 { font-size: 1.25rem; } table { font-size: 0.8rem; }
  /* the flags table keeps its five columns and scrolls sideways inside its box (with a cue) */
  table.flags td:nth-child(2) { min-width: 10rem; }
  table.events thead { display: none; }
  table.events, table.events tbody, table.events tr, table.events td { display: block; width: 100%%; }
  table.events tr { border: 1px solid var(--line); border-radius: 4px; margin: 0 0 0.6rem; padding: 0.2rem 0.4rem; }
  table.events td { border: none; padding: 0.15rem 0; }
  table.events td::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
}
@media print {
  @page { size: A4; margin: 12mm; }
  body { font-size: 9.5pt; }
  main { max-width: none; padding: 0; }
  details { border: none; padding: 0; }
  details > summary { list-style: none; }
  .scroll-cue, .sort-hint { display: none !important; }
  .table-wrap { overflow: visible; box-shadow: none; }
  a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; }
  tr, .status, figure { break-inside: avoid; }
}
""" % {"font": FONT}

# Renders every figure; re-sizes the ones inside a <details> when it opens (they
# were drawn while hidden); sorts any table.sortable by the clicked column.
RENDER_JS = """
(function () {
  var config = JSON.parse(document.getElementById('rb-config').textContent);
  document.querySelectorAll('div.rb-plot').forEach(function (div) {
    var spec = JSON.parse(document.getElementById(div.id + '-data').textContent);
    Plotly.newPlot(div, spec.data, spec.layout, config);
  });
  document.querySelectorAll('details').forEach(function (d) {
    d.addEventListener('toggle', function () {
      if (d.open) { d.querySelectorAll('div.rb-plot').forEach(function (p) { Plotly.Plots.resize(p); }); }
    });
  });
})();
"""

SORT_JS = """
(function () {
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.querySelectorAll('thead th');
    heads.forEach(function (th, col) {
      th.addEventListener('click', function () {
        var asc = th.getAttribute('aria-sort') !== 'ascending';
        heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (row) {
          var cell = row.cells[col];
          var v = cell.getAttribute('data-sort');
          if (v === null) { v = cell.textContent.trim(); }
          var n = parseFloat(v);
          return (v !== '' && !isNaN(n) && isFinite(v)) ? n : v.toLowerCase();
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          if (typeof x !== typeof y) { x = String(x); y = String(y); }
          var c = x < y ? -1 : (x > y ? 1 : 0);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
})();
"""


def esc(text: object) -> str:
    """HTML-escape anything printable."""
    return html.escape(str(text), quote=True)


def _script_json(payload: str) -> str:
    # "</" would end the <script> element early; "<\/" is the same JSON string.
    return payload.replace("</", "<\\/").replace("<!--", "<\\!--")


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.js as shipped with the installed plotly package (no CDN)."""
    text: str = get_plotlyjs()
    return text


def base_layout(*, height: int, lang: str) -> dict[str, object]:
    """Layout shared by every chart: compact margins for phones, system fonts, legend on top."""
    return {
        "height": height,
        "autosize": True,
        "margin": {"l": 48, "r": 12, "t": 36, "b": 36},
        "font": {"family": FONT, "size": 12, "color": "#1a1a1a"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "xanchor": "left"},
        "hovermode": "closest",
        "separators": ",." if lang == "nl" else ".,",
        "colorway": [OKABE_ITO[c] for c in ("blue", "vermillion", "green", "orange", "purple", "sky", "yellow", "black")],
        "xaxis": {"gridcolor": "#eeeeee", "zeroline": False},
        "yaxis": {"gridcolor": "#eeeeee", "zeroline": False},
    }


@dataclass
class Page:
    """Collects the body of one report page and its figures."""

    lang: str
    title: str
    plotly_src: str | None = None  # None: embed plotly.js; else a relative URL such as "plotly.min.js"
    parts: list[str] = field(default_factory=list)
    n_figures: int = 0
    body_class: str = ""  # e.g. "physio": the page's own styles hang on it
    css: str = ""  # styles added after the shared ones

    def add(self, fragment: str) -> None:
        self.parts.append(fragment)

    def figure(self, fig: go.Figure) -> str:
        """The HTML for one figure: a div and its JSON (no template, to keep the page small)."""
        self.n_figures += 1
        div_id = f"rb-fig-{self.n_figures}"
        fig.update_layout(template=None)
        payload = pio.to_json(fig, validate=False, pretty=False, remove_uids=True)
        height = fig.layout.height or 360
        return (
            f'<div class="rb-plot" id="{div_id}" style="height:{int(height)}px"></div>\n'
            f'<script type="application/json" id="{div_id}-data">{_script_json(payload)}</script>\n'
        )

    def html(self) -> str:
        config: dict[str, object] = {
            "responsive": True,
            "displaylogo": False,
            "displayModeBar": False,
            "scrollZoom": False,
            "showLink": False,
            "showEditInChartStudio": False,
            "showSendToCloud": False,
            "showTips": False,
            "typesetMath": False,
        }
        if self.lang in PLOTLY_LOCALES:
            config["locale"] = self.lang
            config["locales"] = {self.lang: PLOTLY_LOCALES[self.lang]}
        if self.plotly_src is None:
            plotly_tag = f'<script type="text/javascript">{plotly_js()}</script>'
        else:
            plotly_tag = f'<script type="text/javascript" src="{esc(self.plotly_src)}"></script>'
        head = (
            "<!DOCTYPE html>\n"
            f'<html lang="{esc(self.lang)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(self.title)}</title>\n<style>{CSS}{self.css}</style>\n</head>\n"
            f"<body{f' class={esc(self.body_class)}' if self.body_class else ''}>\n<main>\n"
        )
        scripts = ""
        if self.n_figures:
            scripts += plotly_tag + "\n"
            scripts += f'<script type="application/json" id="rb-config">{_script_json(json.dumps(config))}</script>\n'
            scripts += f"<script>{RENDER_JS}</script>\n"
        scripts += f"<script>{SORT_JS}</script>\n"
        return head + "".join(self.parts) + "</main>\n" + scripts + "</body>\n</html>\n"
