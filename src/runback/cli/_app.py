"""The command line's parser and dispatcher, on the standard library's argparse.

Start-up time is the point: this module imports nothing beyond the standard
library (not even :mod:`typing`; :mod:`runback.errors` only once something failed).  Each command names the module and function
that carry it out (``"runback.cli._import:activities_command"``); that module,
and with it polars, the store or plotly, is imported only when the command runs.
``runback --help`` therefore never loads polars.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import textwrap

TYPE_CHECKING = False  # typing itself costs start-up time; mypy reads these imports
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, NoReturn

PROG = "runback"

DEFAULT_ATHLETE = "me"
"""runback.athletes.DEFAULT_ATHLETE, written out so that parsing needs no runback module
(tests/test_cli_help.py checks that the two agree)."""

ABOUT = (
    "Does my training pattern look like the kind that goes with low-back overload, "
    "and does my back pain follow it? runback reports associations seen in groups "
    "of runners, never a diagnosis."
)

FORMATS = ("table", "csv", "json")
LANGS = ("en", "nl")
FRAMES = (
    "activities",
    "samples",
    "summaries",
    "laps",
    "flags",
    "journal",
    "daily",
    "weekly",
    "pmc",
    "acwr",
    "monotony",
    "pain_vs_load",
    "wellness",
    "corrections",
    "checks",
)
"""The frames ``runback schema`` documents, in the order it prints them."""

TIMINGS = ("during", "after", "next_morning", "other")

EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C, as shells report a SIGINT."""


class Exit(Exception):
    """Stop the command with this exit status (its messages are already printed)."""

    def __init__(self, code: int = 0) -> None:
        super().__init__(code)
        self.code = code


def echo(message: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print to stdout (or stderr), looked up at call time so tests can capture it."""
    stream = sys.stderr if err else sys.stdout
    stream.write(message + ("\n" if nl else ""))


def fail(message: str) -> NoReturn:
    """One ``Error:`` line on stderr and exit status 1."""
    echo(f"Error: {message}", err=True)
    raise Exit(1)


class _Formatter(argparse.HelpFormatter):
    """Wraps whole words only (``--threshold-pace`` stays in one piece) and keeps paragraphs."""

    def __init__(self, prog: str) -> None:
        width = _columns()
        super().__init__(prog, max_help_position=min(30, max(width // 3, 16)), width=width)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_long_words=False, break_on_hyphens=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
        return "\n\n".join(
            textwrap.fill(p, width, initial_indent=indent, subsequent_indent=indent,
                          break_long_words=False, break_on_hyphens=False)
            for p in paragraphs
        )

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if isinstance(action, argparse._SubParsersAction):
            # argparse counts the commands' names two columns short of their indent, which
            # pushed "activities" and "team-report" onto lines of their own
            widest = max((len(name) for name in action.choices), default=0)
            self._action_max_length = max(self._action_max_length, self._current_indent + 2 + widest)

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Usage: " if prefix is None else prefix)


def _columns() -> int:
    """The terminal's width (``COLUMNS`` wins), between 40 and 100 columns."""
    try:
        width = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        try:  # os, not shutil: shutil would load zlib, bz2 and lzma just to print help
            width = os.get_terminal_size(sys.__stdout__.fileno() if sys.__stdout__ else 1).columns
        except (OSError, ValueError):
            width = 80
    return max(40, min(width, 100)) - 2


class _Parser(argparse.ArgumentParser):
    """Usage errors: the usage line, one ``Error:`` line and exit status 2, as before.

    ``describe``, where given, computes the description only when the help is
    shown (the journal CSV columns live in the pain module, which loads polars).
    """

    def __init__(self, *args: Any, describe: Callable[[], str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False  # our own -h, worded like the rest
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="Show this help and exit.")
        self._describe = describe

    def format_help(self) -> str:
        if self._describe is not None:
            self.description = self._describe()
            self._describe = None
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        echo(f"Try '{self.prog} -h' for help.", err=True)
        echo(f"Error: {message}", err=True)
        raise SystemExit(2)

    def print_help(self, file: Any = None) -> None:
        # sys.stdout at call time, so in-process tests capture it
        (file or sys.stdout).write(self.format_help())


def _handler(target: str) -> dict[str, str]:
    return {"_handler": target}


def _add_store(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", metavar="PATH",
                   help="Store directory (default: $RUNBACK_STORE or the user data directory).")


def _add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", dest="fmt", choices=FORMATS, default="table", metavar="FORMAT",
                   help="Output format: table, csv or json (default: table).")


def _add_athlete_filter(p: argparse.ArgumentParser) -> None:
    p.add_argument("--athlete", metavar="NAME", help="Only this athlete (default: every athlete).")


def _add_scheduler(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scheduler", metavar="WHERE",
                   help="Compute on Dask: local (one worker per core), local:N (N workers) or a scheduler's "
                   "address, tcp://host:8786 (the store must be on a file system every worker sees; "
                   "needs runback[dask]).")


def _add_lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=LANGS, default="en", metavar="LANG",
                   help="Language of the report: en or nl (default: en).")


def _demo(p: _Parser) -> None:
    p.add_argument("--out", metavar="PATH", help="Folder for the reports (default: a new temporary folder).")
    p.add_argument("--open", dest="open_", action="store_true", help="Open the coach overview in the web browser.")
    p.add_argument("--data", metavar="PATH",
                   help="Sample data folder (default: the sample data installed with runback).")
    p.add_argument("--store", metavar="PATH",
                   help="Import into this store and keep it, to explore with other commands "
                   "(default: a temporary store, deleted afterwards).")
    p.set_defaults(**_handler("runback.cli._demo:demo_command"))


def _flags(p: _Parser) -> None:
    _add_store(p)
    _add_athlete_filter(p)
    p.add_argument("--since", metavar="DAY", help="Only flags on or after this day (YYYY-MM-DD).")
    _add_format(p)
    p.add_argument("--acwr", dest="include_acwr", action="store_true",
                   help="Also label acute:chronic load ratios of 1.5 or more (contested evidence).")
    _add_profile(p)
    _add_scheduler(p)
    p.set_defaults(**_handler("runback.cli._flags:flags_command"))


def _cohort(p: _Parser) -> None:
    _add_store(p)
    _add_format(p)
    _add_profile(p)
    _add_scheduler(p)
    p.set_defaults(**_handler("runback.cli._cohort:cohort_command"))


def _add_profile(p: _Parser) -> None:
    """The athlete-profile options: the same for every command that computes load."""
    p.add_argument("--profile", metavar="FILE",
                   help="Profile TOML file (default: <store>/profiles/<athlete>.toml where it exists).")
    p.add_argument("--hr-max", type=_number("--hr-max"), metavar="BPM", help="Maximal heart rate, bpm.")
    p.add_argument("--hr-rest", type=_number("--hr-rest"), metavar="BPM", help="Resting heart rate, bpm.")
    p.add_argument("--sex", metavar="SEX", help="male or female (Banister TRIMP coefficients).")
    p.add_argument("--threshold-pace", metavar="MM:SS", help="Threshold pace, MM:SS per km.")
    p.add_argument("--tz", metavar="ZONE",
                   help="IANA time zone for activities recorded without local time (GPX, TCX), "
                   "e.g. Europe/Amsterdam.")


def _import(p: _Parser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="FIT, GPX or TCX files (also .gz), zip files (Strava or Garmin Connect exports) "
                   "or folders.")
    _add_store(p)
    p.add_argument("--athlete", default=DEFAULT_ATHLETE, metavar="NAME",
                   help=f"Athlete the data belongs to (default: {DEFAULT_ATHLETE}).")
    p.add_argument("--tz", metavar="ZONE",
                   help="The athlete's time zone (e.g. Europe/Amsterdam): GPX and TCX hold UTC times only, "
                   "so their local start is placed in it. FIT files keep the offset the watch recorded.")
    p.add_argument("-q", "--quiet", action="store_true", help="No progress bar.")
    _add_scheduler(p)
    p.set_defaults(**_handler("runback.cli._import:import_command"))


def _activities(p: _Parser) -> None:
    _add_store(p)
    _add_athlete_filter(p)
    _add_format(p)
    p.add_argument("--all", dest="raw", action="store_true",
                   help="Also the activities excluded or merged away, saying so.")
    p.set_defaults(**_handler("runback.cli._import:activities_command"))


def _correction_options(p: _Parser) -> None:
    # SUPPRESS: given before the subcommand (`runback activities --store X exclude ID`), they still count
    p.add_argument("--store", default=argparse.SUPPRESS, metavar="PATH",
                   help="Store directory (default: $RUNBACK_STORE or the user data directory).")
    p.add_argument("--athlete", default=argparse.SUPPRESS, metavar="NAME",
                   help="Whose activity (needed only when two athletes share an id prefix).")


_ACTIVITY_ID = "The activity's id as `runback activities` lists it, or its first characters (at least 4)."


def _activities_exclude(p: _Parser) -> None:
    p.add_argument("activity_id", metavar="ID", help=_ACTIVITY_ID)
    p.add_argument("--note", metavar="TEXT", help="Why (kept with the correction).")
    _correction_options(p)
    p.set_defaults(**_handler("runback.cli._activities:exclude_command"))


def _activities_include(p: _Parser) -> None:
    p.add_argument("activity_id", metavar="ID", help=_ACTIVITY_ID)
    _correction_options(p)
    p.set_defaults(**_handler("runback.cli._activities:include_command"))


def _activities_set(p: _Parser) -> None:
    p.add_argument("activity_id", metavar="ID", help=_ACTIVITY_ID)
    p.add_argument("--sport", required=True, metavar="SPORT",
                   help="The sport it was, e.g. walking, cycling, hiking or running.")
    _correction_options(p)
    p.set_defaults(**_handler("runback.cli._activities:set_command"))


def _activities_merge(p: _Parser) -> None:
    p.add_argument("activity_ids", nargs=2, metavar="ID", help=_ACTIVITY_ID)
    _correction_options(p)
    p.set_defaults(**_handler("runback.cli._activities:merge_command"))


def _check(p: _Parser) -> None:
    _add_store(p)
    _add_athlete_filter(p)
    _add_format(p)
    _add_profile(p)
    p.set_defaults(**_handler("runback.cli._activities:check_command"))


def _report(p: _Parser) -> None:
    _add_store(p)
    p.add_argument("--athlete", metavar="NAME",
                   help="Whose report (may be left out when the store holds one athlete).")
    p.add_argument("--since", metavar="DAY", help="First day shown, YYYY-MM-DD (default: all).")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="File to write (default: runback-report-<athlete>.html; with --physio "
                        "runback-physio-<athlete>.html, with --pdf .pdf).")
    p.add_argument("--physio", action="store_true",
                   help="Write the physiotherapist's page instead: the last 12 weeks on at most two A4 pages.")
    p.add_argument("--pdf", action="store_true",
                   help="Write the physiotherapist's page as a PDF (needs headless Chromium, /usr/bin/chromium).")
    _add_lang(p)
    p.add_argument("--open", dest="open_", action="store_true", help="Open the report in the web browser.")
    _add_profile(p)
    p.set_defaults(**_handler("runback.cli._report:report_command"))


def _team_report(p: _Parser) -> None:
    p.add_argument("-o", "--output", required=True, metavar="FOLDER",
                   help="Folder for index.html and one report per runner.")
    _add_store(p)
    _add_lang(p)
    _add_profile(p)
    _add_scheduler(p)
    p.set_defaults(**_handler("runback.cli._report:team_report_command"))


def _schema(p: _Parser) -> None:
    p.add_argument("frame", nargs="?", choices=FRAMES, metavar="FRAME",
                   help="Only this frame, one of: " + ", ".join(FRAMES) + ".")
    p.set_defaults(**_handler("runback.cli._schema:schema_command"))


_JOURNAL_ATHLETE = (f"Athlete the entries belong to (default: the store's only athlete; "
                    f"'{DEFAULT_ATHLETE}' in an empty store).")


def _pain_add(p: _Parser) -> None:
    p.add_argument("pain", type=_whole("PAIN"), metavar="PAIN", help="Pain 0-10 (0 none, 10 worst).")
    p.add_argument("--timing", required=True, metavar="WHEN", help="during, after, next_morning or other.")
    p.add_argument("--date", metavar="DAY", help="Day, YYYY-MM-DD (default: today).")
    p.add_argument("--time", metavar="HH:MM", help="Time of day, HH:MM.")
    p.add_argument("--location", metavar="TEXT", help="Where it hurts (default: low back).")
    p.add_argument("--sleep", type=_number("--sleep"), metavar="HOURS", help="Hours slept last night.")
    p.add_argument("--sleep-quality", type=_whole("--sleep-quality"), metavar="N",
                   help="Sleep quality 1 (very poor) to 5 (very good).")
    p.add_argument("--stress", type=_whole("--stress"), metavar="N", help="Stress 1 (none) to 5 (very high).")
    p.add_argument("--rpe", type=_number("--rpe"), metavar="N", help="How hard the run felt, 0-10.")
    p.add_argument("--activity", metavar="ID", help="The activity id the entry is about.")
    p.add_argument("--note", metavar="TEXT", help="Free text.")
    _add_store(p)
    p.add_argument("--athlete", metavar="NAME", help=_JOURNAL_ATHLETE)
    p.set_defaults(**_handler("runback.cli._pain:add_command"))


def _pain_list(p: _Parser) -> None:
    _add_store(p)
    _add_athlete_filter(p)
    _add_format(p)
    p.set_defaults(**_handler("runback.cli._pain:list_command"))


def _pain_import(p: _Parser) -> None:
    p.add_argument("file", metavar="FILE", help="The journal CSV; it is only read.")
    _add_store(p)
    p.add_argument("--athlete", metavar="NAME", help=_JOURNAL_ATHLETE)
    p.set_defaults(**_handler("runback.cli._pain:import_command"))


def _pain_template(p: _Parser) -> None:
    p.add_argument("file", nargs="?", metavar="FILE", help="Write here (never overwrites); default: print it.")
    p.set_defaults(**_handler("runback.cli._pain:template_command"))


def _pain_rename(p: _Parser) -> None:
    p.add_argument("--from", dest="from_athlete", required=True, metavar="NAME",
                   help="The mistaken name the entries were logged under (quote it: --from \"anna \").")
    p.add_argument("--to", dest="to_athlete", required=True, metavar="NAME", help="The athlete they belong to.")
    _add_store(p)
    p.set_defaults(**_handler("runback.cli._pain:rename_command"))


def _pain_remove(p: _Parser) -> None:
    p.add_argument("entry_id", metavar="ENTRY_ID",
                   help="The entry's id as `runback pain list` shows it, or its first characters (at least 4).")
    _add_store(p)
    p.add_argument("--athlete", metavar="NAME", help="Whose entry (needed only when two share an id prefix).")
    p.set_defaults(**_handler("runback.cli._pain:remove_command"))


def _doctor(p: _Parser) -> None:
    _add_store(p)
    p.add_argument("--repair", action="store_true",
                   help="Repair: restore a lost or damaged manifest from the newest good copy, move damaged "
                   "or unlisted parts to <store>/_quarantine/ (never deleted), record missing checksums.")
    p.set_defaults(**_handler("runback.cli._doctor:doctor_command"))


def _pain_import_about() -> str:
    return ("Import a journal CSV: all rows or none; entries already stored are skipped; "
            "the file is only read.\n\n" + _journal_columns())


def _pain_template_about() -> str:
    return "Write an empty journal CSV (header row only) to FILE, or print it.\n\n" + _journal_columns()


def _serve(p: _Parser) -> None:
    _add_store(p)
    p.add_argument("--host", default="127.0.0.1", metavar="HOST",
                   help="Address to listen on (default: 127.0.0.1, this computer only). Any other needs accounts "
                   "(runback users add).")
    p.add_argument("--port", type=_whole("--port"), default=8765, metavar="PORT",
                   help="Port (default: 8765; 0: any free port).")
    p.add_argument("--allow-host", action="append", metavar="NAME",
                   help="Another host name the browser may use, e.g. the public name of a reverse proxy "
                   "(repeatable; default: HOST only).")
    p.add_argument("--max-upload-mb", type=_whole("--max-upload-mb"), default=512, metavar="MB",
                   help="Largest upload in one request, MB (default: 512).")
    p.set_defaults(**_handler("runback.cli._serve:serve_command"))


def _users_add(p: _Parser) -> None:
    p.add_argument("name", metavar="NAME", help="The sign-in name.")
    p.add_argument("--role", required=True, choices=("coach", "runner"), metavar="ROLE",
                   help="coach (sees every runner, makes invite links) or runner (sees their own athlete only).")
    p.add_argument("--athlete", metavar="NAME", help="A runner's athlete in the store (default: NAME).")
    _add_store(p)
    p.set_defaults(**_handler("runback.cli._serve:users_add_command"))


def _users_list(p: _Parser) -> None:
    _add_store(p)
    p.set_defaults(**_handler("runback.cli._serve:users_list_command"))


def _users_remove(p: _Parser) -> None:
    p.add_argument("name", metavar="NAME", help="The sign-in name.")
    _add_store(p)
    p.set_defaults(**_handler("runback.cli._serve:users_remove_command"))


class _Command:
    """One command: its one-line summary, its help page's text and how to add its options.

    ``about`` is the help page's description (default: the summary); a callable computes
    it only when the page is shown.  ``subcommands`` makes a group (``runback pain``).
    """

    def __init__(
        self,
        summary: str,
        about: str | Callable[[], str] | None = None,
        populate: Callable[[_Parser], None] | None = None,
        subcommands: dict[str, _Command] | None = None,
    ) -> None:
        self.summary = summary
        self.about = about if about is not None else summary
        self.populate = populate
        self.subcommands = subcommands


def _wellness_list(p: _Parser) -> None:
    _add_store(p)
    _add_athlete_filter(p)
    _add_format(p)
    p.set_defaults(**_handler("runback.cli._wellness:list_command"))


_WELLNESS = {
    "list": _Command("List the nights and days your watch recorded (sleep, sleep score, stress, resting heart rate).",
                     populate=_wellness_list),
}

_ACTIVITIES = {
    "exclude": _Command(
        "Stop counting an activity (a broken recording, someone else's run); it stays stored.",
        "Stop counting an activity (a broken recording, someone else's run). It stays stored: "
        "`runback activities include ID` counts it again.",
        _activities_exclude,
    ),
    "include": _Command("Count an excluded activity again; also undoes a merge.", populate=_activities_include),
    "set": _Command(
        "Set an activity's sport, e.g. --sport walking for a walk recorded as a run.",
        "Set an activity's sport, e.g. `--sport walking` for a walk recorded as a run. Only running counts "
        "as running load. Setting the file's own sport again undoes it.",
        _activities_set,
    ),
    "merge": _Command(
        "Count two activities as one run (the same run saved twice).",
        "Count two activities as one run (the same run saved twice). The more complete copy is kept: "
        "FIT over TCX over GPX, then more samples; `runback activities include ID` of the other undoes it.",
        _activities_merge,
    ),
}

_PAIN = {
    "add": _Command("Add one journal entry, e.g. `runback pain add 4 --timing after --sleep 6.5 --stress 4`.",
                    populate=_pain_add),
    "list": _Command("List the journal entries, oldest first.", populate=_pain_list),
    "import": _Command("Import a journal CSV (all rows or none; twice adds nothing).", _pain_import_about,
                       _pain_import),
    "template": _Command("Write an empty journal CSV (header only) to FILE or stdout.", _pain_template_about,
                         _pain_template),
    "rename": _Command(
        "Move the journal entries logged under a mistaken name to the right athlete.",
        "Move every journal entry logged under a mistaken name (e.g. `--from \"anna \" --to anna`) to the "
        "right athlete. The entries stay stored as they were; a fix record in the store says whose they are, "
        "and renaming back undoes it.",
        _pain_rename,
    ),
    "remove": _Command(
        "Leave out one journal entry logged by mistake; adding it again brings it back.",
        "Leave out one journal entry logged by mistake. It stays stored (a fix record in the store says it "
        "is left out); adding the same entry again brings it back.",
        _pain_remove,
    ),
}

_USERS = {
    "add": _Command("Add an account; the password is asked (or read from stdin's first line).",
                    populate=_users_add),
    "list": _Command("List the accounts: name, role, athlete, created.", populate=_users_list),
    "remove": _Command("Remove an account and its sessions; the athlete's data stays.", populate=_users_remove),
}

COMMANDS: dict[str, _Command] = {
    "demo": _Command(
        "Import the bundled sample runners into a temporary store and write their reports.",
        "Import the bundled sample runners into a temporary store and write their reports.\n\n"
        "Two fictional runners, 24 weeks each, with a weekly ramp, a long-run spike, an interval "
        "week, a stretch without rest days and a back-pain episode. Prints the reports' paths.",
        _demo,
    ),
    "flags": _Command(
        "Flag the training patterns docs/evidence.md associates with low-back overload.",
        "Flag the training patterns docs/evidence.md associates with low-back overload.\n\n"
        "Every load rule of docs/evidence.md (the acute:chronic ratio only with --acwr), plus the "
        "pain rules where a journal is stored. Each flag says what was measured and what studies of "
        "runners showed; never a diagnosis.",
        _flags,
    ),
    "import": _Command(
        "Import runs into the store; files imported before are not read again.",
        "Import runs into the store; files imported before are not read again.\n\n"
        "Ends with a summary: imported, already present, duplicates, skipped (not an activity) and "
        "failed, then each failure as FILE: reason. Exit status 1 when any file failed.",
        _import,
    ),
    "activities": _Command(
        "List the stored activities; exclude, include, set the sport of or merge them.",
        "List the stored activities (JSON: a list of objects keyed by the activities columns), as your "
        "corrections leave them (--all: also those excluded or merged away). Corrections are kept in the "
        "store, never change a file, and are undone by the command each one prints.",
        _activities,
        _ACTIVITIES,
    ),
    "check": _Command(
        "List what looks wrong in the stored activities, each with the command that fixes it.",
        "List what looks wrong in the stored activities: runs counted twice, paces no runner holds, long "
        "gaps inside recordings, recordings over 6 h, and where the profile values came from, each with "
        "the command that fixes it.",
        _check,
    ),
    "report": _Command("Write one runner's report: a self-contained HTML file that works offline.",
                       populate=_report),
    "team-report": _Command(
        "Write a coach's overview of every runner (index.html) with each runner's report beside it.",
        populate=_team_report,
    ),
    "cohort": _Command(
        "One row per runner: weeks, runs, weekly distance percentiles, flags per 100 runs, pain entries.",
        "One row per runner, for a coach or a study: weeks of data, runs, the 10th, 50th and 90th "
        "percentile of weekly running distance (weeks without a run count as 0), flags per 100 runs (all, "
        "and by rule), pain entries, and where the runner sits in the group (percentile of median weekly "
        "distance and of flag rate). With --scheduler, computed on Dask.",
        _cohort,
    ),
    "schema": _Command("Print the columns of runback's frames, with dtype, unit and meaning.", populate=_schema),
    "pain": _Command("Log how your back feels (pain 0-10), list the journal, import or start a journal CSV.",
                     subcommands=_PAIN),
    "doctor": _Command(
        "Check every stored file; with --repair, make a damaged store readable again.",
        "Check every stored file: each athlete's manifest, every part against its checksum, the journal "
        "and the corrections. With --repair: restore a lost or damaged manifest from the newest of the "
        "last 5 kept, move damaged parts and parts no manifest lists to <store>/_quarantine/ (never "
        "deleted), and say what was done. Exit status 1 when problems were found and not repaired.",
        _doctor,
    ),
    "wellness": _Command(
        "The sleep and stress your watch recorded (from a Garmin Connect export).",
        "The sleep and stress your watch recorded, imported from a Garmin Connect export "
        "(runback import export.zip): hours asleep, sleep score, average stress (0-100) and resting "
        "heart rate per day. stress_or_poor_sleep uses them on days your journal does not cover.",
        subcommands=_WELLNESS,
    ),
    "serve": _Command(
        "Serve the store in the browser: upload exports, log pain, see the reports.",
        "Serve the store in the browser: runners upload exports and log pain from a phone, the coach sees "
        "the team. On 127.0.0.1 without accounts you own the store (the personal mode); any other host needs "
        "accounts (runback users add). Prints the address; Ctrl-C stops it.",
        _serve,
    ),
    "users": _Command("Add, list or remove the accounts of runback serve.", subcommands=_USERS),
}
"""Every command of ``runback``, in the order the help lists them."""


def _add_commands(parent: _Parser, commands: dict[str, _Command], wanted: list[str] | None) -> None:
    """Add ``commands`` to ``parent``; only the one ``wanted[0]`` names gets its options (None: all).

    Adding ~80 options costs milliseconds; a command runs with its own options only, and
    the list of commands needs their summaries only.
    """
    sub = parent.add_subparsers(title="commands", metavar="COMMAND", parser_class=_Parser)
    # the first word naming a command: an option's value may come before it
    # (`runback activities --store DIR exclude ID`)
    at = None if wanted is None else next((i for i, w in enumerate(wanted) if w in commands), None)
    for name, command in commands.items():
        full = wanted is None or (at is not None and wanted[at] == name)
        about = command.about
        p = sub.add_parser(
            name,
            help=command.summary,
            description=about if isinstance(about, str) else None,
            describe=None if isinstance(about, str) else about,
        )
        p.set_defaults(_parser=p)
        if not full:
            continue
        if command.populate is not None:
            command.populate(p)
        if command.subcommands is not None:
            _add_commands(p, command.subcommands, None if wanted is None or at is None else wanted[at + 1:])


def _positionals(argv: Sequence[str]) -> list[str]:
    """The words of ``argv`` that name a command and a subcommand: ``pain add 3 ...`` -> pain, add, 3, ..."""
    return [word for word in argv if not word.startswith("-")]


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of ``runback``: every command and option, or (given ``argv``) only those it uses.

    Nothing is imported to build it.
    """
    root = _Parser(prog=PROG, description=ABOUT)
    root.set_defaults(_parser=root)
    _add_commands(root, COMMANDS, None if argv is None else _positionals(argv))
    return root


def _journal_columns() -> str:
    """The journal CSV's columns, from the pain module (imported only for this help page)."""
    from runback.pain.journal import CSV_COLUMNS_DOC

    return "Columns: " + "; ".join(f"{name}: {doc}" for name, doc in CSV_COLUMNS_DOC.items()) + "."


def _number(option: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            return float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None

    parse.__name__ = option  # argparse names the type in its message
    return parse


def _whole(option: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None

    parse.__name__ = option
    return parse


def guarded(command: Callable[[], int | None]) -> int:
    """Run ``command``; any error becomes one clear line and exit status 1, never a traceback.

    Returns the exit status: the command's own (``None`` is 0), 1 after an error,
    130 after Ctrl-C.  ``RUNBACK_DEBUG=1`` lets an unexpected error through with
    its traceback.
    """
    try:
        return command() or 0
    except Exit as exc:
        return exc.code
    except KeyboardInterrupt:
        echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (`runback activities | head`): not an error of ours;
        # point stdout at devnull so the flush at exit does not raise again
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass  # stdout is not a real file (in-process tests)
        return 1
    except Exception as exc:
        from runback.errors import RunbackError  # loaded only now: it is not needed to start

        if isinstance(exc, RunbackError):
            echo(f"Error: {exc}", err=True)
            return 1
        if isinstance(exc, OSError) and exc.errno is not None:
            # disk full, read-only, not a folder, name too long: the runner's to fix, not a bug
            echo(f"Error: {_os_error(exc)}", err=True)
            return 1
        # a bug of ours: still one line for the runner; RUNBACK_DEBUG=1 shows the traceback
        if os.environ.get("RUNBACK_DEBUG"):
            raise
        echo(
            f"Error: unexpected {type(exc).__name__}: {exc} (a bug in runback; "
            "run again with RUNBACK_DEBUG=1 for the details)",
            err=True,
        )
        return 1


def _os_error(exc: OSError) -> str:
    """``PATH: reason`` for an OS error (both paths of a rename)."""
    where = " -> ".join(str(p) for p in (exc.filename, exc.filename2) if p is not None)
    reason = exc.strerror or str(exc)
    return f"{where}: {reason}" if where else reason


def run(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default: the process's arguments), run the command, return its exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(words)
    try:
        args = parser.parse_args(words)
    except SystemExit as exc:  # help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 1
    target = getattr(args, "_handler", None)
    if target is None:
        # `runback` or `runback pain` alone: the help, and the usage-error status click gave
        args._parser.print_help()
        return 2
    module_name, function_name = target.split(":")

    def command() -> int | None:
        module = importlib.import_module(module_name)
        result: int | None = getattr(module, function_name)(args)
        return result

    return guarded(command)


def __getattr__(name: str) -> Any:
    """``app``: the whole CLI as a typer app, for older tests that drive it with typer's CliRunner.

    Built on first use only, so the command line itself never imports typer.
    """
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import typer

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    def forward(ctx: Any) -> None:
        raise SystemExit(run(list(ctx.args)))

    forward.__annotations__ = {"ctx": typer.Context, "return": None}  # typer reads the real class
    app.command(
        name=PROG,
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    )(forward)

    globals()["app"] = app
    return app
