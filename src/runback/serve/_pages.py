"""The server's own HTML: small pages that work on a phone at 390 px, with no inline script or style.

Every value shown goes through :func:`html.escape`; the one stylesheet and the one
script are served from ``/static/`` so that the Content-Security-Policy can forbid
inline code on these pages.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from runback.serve.accounts import User

TIMINGS = (("after", "after a run"), ("next_morning", "next morning"), ("during", "during a run"), ("other", "other"))

CSS = """
*{box-sizing:border-box}
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1d3b53;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a,header button{color:#fff}
header .who{margin-left:auto;font-size:.9rem}
main{max-width:46rem;margin:0 auto;padding:1rem}
section{background:#fff;border-radius:.6rem;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 2px #0002}
h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.15rem;margin:0 0 .6rem}
label{display:block;margin:.5rem 0 .2rem;font-weight:600}
input[type=text],input[type=password],input[type=number],textarea,select{width:100%;font:inherit;padding:.55rem;
 border:1px solid #9aa5b1;border-radius:.4rem}
button,.button{font:inherit;padding:.6rem 1rem;border-radius:.4rem;border:0;background:#1d6fb8;color:#fff;
 cursor:pointer;text-decoration:none;display:inline-block}
header button{background:none;border:1px solid #fff8;padding:.25rem .6rem}
.scores{display:grid;grid-template-columns:repeat(6,1fr);gap:.35rem}
.choice{position:relative}
.choice input{position:absolute;opacity:0;width:1px;height:1px}
.choice span{display:block;text-align:center;padding:.65rem 0;border:1px solid #9aa5b1;border-radius:.4rem;
 background:#fff;font-weight:600}
.choice input:checked+span{background:#1d6fb8;color:#fff;border-color:#1d6fb8}
.choice input:focus-visible+span{outline:3px solid #f0a30a}
.timings{display:grid;grid-template-columns:repeat(2,1fr);gap:.35rem}
.row3{display:grid;grid-template-columns:repeat(3,1fr);gap:.5rem}
details{margin:.6rem 0}
.drop{border:2px dashed #9aa5b1;border-radius:.6rem;padding:1.2rem;text-align:center;background:#fafbfc}
.drop.over{border-color:#1d6fb8;background:#e8f1fa}
.drop input{display:block;margin:.6rem auto;max-width:100%}
progress{width:100%;height:1rem}
.msg{padding:.6rem .8rem;border-radius:.4rem;background:#e6f4ea;margin:0 0 1rem}
.err{background:#fdecea}
ul.summary{padding-left:1.2rem}ul.summary li.failed{color:#a4161a}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:.35rem .3rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
.links a{margin-right:1rem}
.hidden{display:none}
form.inline{display:inline-block;margin:.15rem 0}
form.inline button{padding:.3rem .6rem}
form.inline select{width:auto;padding:.3rem}
"""

JS = r"""
// Drag and drop onto the upload area, and progress while the files go up and import.
(function () {
  var form = document.getElementById('upload');
  if (!form) return;
  var zone = form.querySelector('.drop'), input = form.querySelector('input[type=file]');
  var bar = document.getElementById('upload-progress'), status = document.getElementById('upload-status');
  var out = document.getElementById('upload-summary');
  ['dragenter', 'dragover'].forEach(function (n) {
    zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.add('over'); });
  });
  ['dragleave', 'drop'].forEach(function (n) {
    zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.remove('over'); });
  });
  zone.addEventListener('drop', function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; }
  });
  form.addEventListener('submit', function (e) {
    if (!input.files.length) return;
    e.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    // the server answers with JSON lines: {"done": n, "total": m} while it imports, the summary last
    xhr.setRequestHeader('Accept', 'application/x-ndjson');
    bar.classList.remove('hidden'); bar.value = 0; status.textContent = 'uploading…';
    var seen = 0;
    function events() {
      var text = xhr.responseText, end = text.lastIndexOf('\n');
      return end < 0 ? [] : text.slice(0, end).split('\n').map(function (l) { return JSON.parse(l); });
    }
    xhr.upload.onprogress = function (ev) {
      if (ev.lengthComputable) { bar.value = ev.loaded / ev.total; }
      if (ev.loaded === ev.total) { status.textContent = 'importing…'; bar.removeAttribute('value'); }
    };
    xhr.onprogress = function () {
      if (xhr.status !== 200) return;
      var all = events();
      for (; seen < all.length; seen++) {
        if (all[seen].total) {
          bar.value = all[seen].done / all[seen].total;
          status.textContent = 'importing: ' + all[seen].done + ' of ' + all[seen].total + ' files';
        }
      }
    };
    xhr.onload = function () {
      bar.classList.add('hidden');
      var data;
      try {
        data = xhr.status === 200 ? events().pop() : JSON.parse(xhr.responseText);
      } catch (err) { data = null; }
      if (!data) { data = {error: 'the server answered ' + xhr.status}; }
      out.textContent = '';
      if (data.error) { status.textContent = 'Error: ' + data.error; return; }
      status.textContent = data.ok ? 'Done.' : 'Done, with failures:';
      data.lines.forEach(function (line) {
        var li = document.createElement('li'); li.textContent = line;
        if (/^failed: [1-9]|^  /.test(line) && !data.ok) li.className = 'failed';
        out.appendChild(li);
      });
      input.value = '';
    };
    xhr.onerror = function () { bar.classList.add('hidden'); status.textContent = 'Error: the upload did not reach the server'; };
    xhr.send(new FormData(form));
  });
})();
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def page(title: str, body: str, *, user: User | None, csrf: str, personal: bool) -> str:
    """A whole page: header with the way home and sign-out, then ``body``."""
    who = ""
    if user is not None and not personal:
        who = (f'<form class="who" method="post" action="/logout">{esc(user.name)} ({esc(user.role)}) '
               f'<input type="hidden" name="csrf" value="{esc(csrf)}"><button>Sign out</button></form>')
    elif personal:
        who = '<span class="who">personal mode</span>'
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} · runback</title>\n"
        '<link rel="stylesheet" href="/static/app.css">\n</head>\n<body>\n'
        f'<header><a href="/"><b>runback</b></a>{who}</header>\n<main>\n{body}\n</main>\n'
        '<script src="/static/app.js"></script>\n</body>\n</html>\n'
    )


def hidden_csrf(csrf: str) -> str:
    return f'<input type="hidden" name="csrf" value="{esc(csrf)}">'


def message(text: str | None, *, error: bool = False) -> str:
    return f'<p class="msg{" err" if error else ""}" role="status">{esc(text)}</p>' if text else ""


def summary_list(lines: Sequence[str], ok: bool) -> str:
    items = "".join(
        f'<li class="{"failed" if not ok and (line.startswith("  ") or line.startswith("failed")) else ""}">'
        f"{esc(line)}</li>"
        for line in lines
    )
    return f'<ul class="summary" id="upload-summary">{items}</ul>'


SPORTS = ("running", "walking", "hiking", "cycling", "other")
"""The sports a runner may set from the page; only running counts as running load."""


def activities_table(athlete: str, rows: Iterable[dict[str, object]], *, csrf: str) -> str:
    """The last activities, each with Exclude (or Include) and a sport to set: the CLI's corrections."""
    a = esc(athlete)
    out = []
    for r in rows:
        aid = esc(r["activity_id"])
        hidden = str(r.get("correction") or "").startswith("not counted")
        toggle = "include" if hidden else "exclude"
        options = "".join(f'<option{" selected" if s == r["sport"] else ""}>{esc(s)}</option>' for s in SPORTS)
        if r["sport"] not in SPORTS:
            options = f'<option selected>{esc(r["sport"])}</option>' + options
        km = r.get("distance_m")
        out.append(
            f'<tr data-activity="{aid}"><td>{esc(str(r["start_time_local"])[:16])}</td>'
            f'<td>{"" if km is None else f"{float(str(km)) / 1000:.1f} km"}</td>'
            f'<td>{esc(r.get("correction") or "")}</td><td>'
            f'<form method="post" action="/a/{a}/activities/{aid}/sport" class="inline">{hidden_csrf(csrf)}'
            f'<select name="sport" aria-label="sport">{options}</select> <button>Set</button></form> '
            f'<form method="post" action="/a/{a}/activities/{aid}/{toggle}" class="inline">{hidden_csrf(csrf)}'
            f"<button>{toggle.capitalize()}</button></form></td></tr>"
        )
    if not out:
        return ""
    return (f'<section><h2>Last activities</h2><table id="activities"><thead><tr><th>start</th><th>distance</th>'
            f'<th>correction</th><th></th></tr></thead><tbody>{"".join(out)}</tbody></table></section>')


def athlete_page(
    athlete: str,
    *,
    csrf: str,
    journal_rows: Iterable[dict[str, object]],
    activities: int,
    activity_rows: Iterable[dict[str, object]] = (),
    note: str | None = None,
    error: str | None = None,
    summary: tuple[Sequence[str], bool] | None = None,
) -> str:
    """The runner's one page: upload, log pain, the last entries, links to the report and flags."""
    a = esc(athlete)
    scores = "".join(
        f'<label class="choice"><input type="radio" name="pain" value="{i}" required>'
        f"<span>{i}</span></label>" for i in range(11)
    )
    timings = "".join(
        f'<label class="choice"><input type="radio" name="timing" value="{v}"{" checked" if v == "after" else ""}>'
        f"<span>{esc(t)}</span></label>" for v, t in TIMINGS
    )
    rows = "".join(
        f"<tr><td>{esc(r['date'])}{(' ' + esc(r['time'])) if r.get('time') else ''}</td>"
        f"<td>{esc(r['pain'])}/10</td><td>{esc(str(r['timing']).replace('_', ' '))}</td>"
        f"<td>{esc(r.get('note') or '')}</td>"
        # the journal's own correction: the entry is left out, stays stored, and logging it again brings it back
        f'<td><form method="post" action="/a/{a}/journal/{esc(r["entry_id"])}/remove" class="inline">'
        f'{hidden_csrf(csrf)}<button aria-label="remove this entry">Remove</button></form></td></tr>'
        for r in journal_rows
    )
    entries = (f'<table id="journal"><thead><tr><th>day</th><th>pain</th><th>when</th><th>note</th><th></th></tr>'
               "</thead>"
               f"<tbody>{rows}</tbody></table>") if rows else "<p>No entries yet.</p>"
    shown = summary_list(*summary) if summary else '<ul class="summary" id="upload-summary"></ul>'
    return f"""<h1>{a}</h1>
{message(note)}{message(error, error=True)}
<p class="links"><a href="/a/{a}/report">Report</a><a href="/a/{a}/flags">Flags</a>
<span>{activities} activit{"y" if activities == 1 else "ies"} stored</span></p>
<section>
<h2>Log pain</h2>
<form method="post" action="/a/{a}/pain" id="pain">
{hidden_csrf(csrf)}
<label>Low-back pain now, 0 (none) to 10 (worst)</label>
<div class="scores">{scores}</div>
<label>When</label>
<div class="timings">{timings}</div>
<details><summary>Sleep, stress, effort, note</summary>
<div class="row3">
<div><label for="sleep">Sleep, h</label><input type="number" id="sleep" name="sleep_h" min="0" max="24" step="0.5"></div>
<div><label for="stress">Stress 1-5</label><input type="number" id="stress" name="stress" min="1" max="5" step="1"></div>
<div><label for="rpe">Effort 0-10</label><input type="number" id="rpe" name="rpe" min="0" max="10" step="0.5"></div>
</div>
<label for="note">Note</label><input type="text" id="note" name="note" maxlength="500">
</details>
<p><button type="submit">Save</button></p>
</form>
<h2>Last entries</h2>
{entries}
</section>
<section>
<h2>Upload exports</h2>
<form method="post" action="/a/{a}/upload" enctype="multipart/form-data" id="upload">
{hidden_csrf(csrf)}
<div class="drop"><p>Drop Strava or Garmin export zips, or FIT, GPX and TCX files here, or choose them:</p>
<input type="file" name="files" multiple accept=".zip,.fit,.gpx,.tcx,.gz"></div>
<p><button type="submit">Upload</button></p>
<progress id="upload-progress" class="hidden" max="1"></progress>
<p id="upload-status" role="status"></p>
{shown}
</form>
</section>
{activities_table(athlete, activity_rows, csrf=csrf)}"""


def flags_page(athlete: str, rows: Iterable[dict[str, object]]) -> str:
    body = "".join(
        f"<tr><td>{esc(r['date'])}</td><td>{esc(r['rule'])}</td><td>{esc(r.get('band') or '')}</td>"
        f"<td>{esc(r.get('message_en') or '')}</td></tr>"
        for r in rows
    )
    table = (f'<table id="flags"><thead><tr><th>day</th><th>rule</th><th>band</th><th>what was seen</th></tr>'
             f"</thead><tbody>{body}</tbody></table>") if body else "<p>No flags: nothing in the training "\
        "data matches a pattern the studies associate with low-back overload.</p>"
    return (f'<h1>Flags: {esc(athlete)}</h1><p class="links"><a href="/a/{esc(athlete)}">Back</a>'
            f'<a href="/a/{esc(athlete)}/report">Report</a></p><section>{table}</section>')


def home_page(
    athletes: Sequence[tuple[str, str, str]], *, csrf: str, can_invite: bool, invite_link: str | None = None
) -> str:
    """The coach's (or the personal mode's) start: every athlete with their last upload and pain entry."""
    rows = "".join(
        f'<tr><td><a href="/a/{esc(a)}">{esc(a)}</a></td><td>{esc(last_run)}</td><td>{esc(last_pain)}</td>'
        f'<td><a href="/a/{esc(a)}/report">report</a></td></tr>'
        for a, last_run, last_pain in athletes
    )
    table = (f'<table id="athletes"><thead><tr><th>runner</th><th>last run</th><th>last pain entry</th><th></th>'
             f"</tr></thead><tbody>{rows}</tbody></table>") if rows else "<p>No runners in the store yet.</p>"
    invite = ""
    if can_invite:
        link = (f'<p class="msg" id="invite-link">Send this link to the runner (it works once, for 7 days): '
                f"<code>{esc(invite_link)}</code></p>") if invite_link else ""
        invite = f"""<section><h2>Invite a runner</h2>{link}
<form method="post" action="/invites">{hidden_csrf(csrf)}
<label for="invite-athlete">Runner's name as it appears in the reports</label>
<input type="text" id="invite-athlete" name="athlete" required maxlength="64">
<p><button type="submit">Make an invite link</button></p></form></section>"""
    open_form = f"""<section><h2>Open a runner</h2>
<form method="get" action="/open"><label for="open-athlete">Name</label>
<input type="text" id="open-athlete" name="athlete" required maxlength="64" value="me">
<p><button type="submit">Open</button></p></form></section>"""
    return (f'<h1>Team</h1><p class="links"><a href="/team/">Team overview</a></p>'
            f"<section>{table}</section>{invite}{open_form}")


def login_page(*, csrf: str, error: str | None = None) -> str:
    return f"""<h1>Sign in</h1>{message(error, error=True)}<section>
<form method="post" action="/login">{hidden_csrf(csrf)}
<label for="name">Name</label><input type="text" id="name" name="name" autocomplete="username" required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p></form></section>"""


def invite_page(athlete: str, *, csrf: str, token: str, error: str | None = None) -> str:
    return f"""<h1>Welcome, {esc(athlete)}</h1>{message(error, error=True)}<section>
<p>Choose a name and a password (at least 8 characters) to upload your runs and log your back pain.</p>
<form method="post" action="/invite/{esc(token)}">{hidden_csrf(csrf)}
<label for="name">Name</label><input type="text" id="name" name="name" autocomplete="username" required
 value="{esc(athlete)}">
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="new-password" required minlength="8">
<p><button type="submit">Create my account</button></p></form></section>"""


def error_page(status: int, text: str) -> str:
    return f"<h1>{status}</h1>{message(text, error=True)}"
