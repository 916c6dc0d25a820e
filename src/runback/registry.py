"""What runback knows about a rule, declared once beside its function.

Each rule module declares a :class:`Rule` right after the rule's function
(load rules in :mod:`runback.load.rules`, journal rules in
:mod:`runback.pain.rules`); :mod:`runback.model` collects them in a fixed
order.  Everything that runs rules, names them, sorts them by severity or
explains them reads these declarations: :func:`runback.model.flags`, the
pain analysis, the reports and the coach overview.  A new rule is one
function plus one declaration.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

__all__ = ["Band", "Rule", "Text", "band_label", "strength_rank"]

#: a text in English and Dutch: {"en": ..., "nl": ...}
Text = Mapping[str, str]


@dataclass(frozen=True)
class Band:
    """One band a rule puts its flags in.

    ``severity`` orders flags inside a rule (higher first); an ``info`` band is
    reported for completeness, not as a flag that fired (a status leaves it out).
    """

    label: Text
    severity: int = 0
    info: bool = False


@dataclass(frozen=True)
class Rule:
    """A rule: its function and everything said about it.

    Attributes
    ----------
    id
        The ``rule`` value of its flags.
    kind
        ``"load"`` (training data only) or ``"journal"`` (needs the pain journal).
    function
        Returns a :data:`runback.schema.FLAGS` frame.  Its positional parameters
        are the frames named in ``inputs``, in that order; its keyword-only
        parameters are the thresholds.
    inputs
        The model's frames it reads: ``sessions``, ``daily``, ``weekly``
        (load), ``journal``, ``activities``, ``load_flags`` (journal rules).
    label, phrase
        A short name (a title) and the words to use inside a sentence.
    advice
        What the physiotherapy guidance advises when it fires.
    evidence, strength
        The guidance and studies behind it, and how strong they are.
    bands
        band -> :class:`Band`.
    severity
        How much a flag of this rule weighs in a status (higher first).
    default
        Run by :func:`runback.model.flags` without being asked (else opt-in,
        like the acute:chronic ratio) and counted in a status.
    week_rule
        Its flags are about an ISO week (dated the Monday, no ``activity_id``).
    about_pain
        Made from the logged pain itself (so not set against pain).
    ratio
        Its ``value`` and ``threshold`` are change ratios (0.35 = 35% more).
    event
        Each flag is a load event (a session spike, a weekly jump, a run of
        days without rest) the reports set the runner's pain before and after
        against (:func:`runback.model.load_events`), and the days it covers:
        ``"day"`` (the flag's day), ``"week"`` (the ISO week the flag is dated
        by) or ``"streak"`` (``value`` days, the flag dated on day ``threshold``
        of them); None: not an event.
    leads
        Leads the runner's status box and puts the runner first in the coach
        overview whenever it fires (high pain, pain rising over days).
    baseline_unit
        ``"m"`` where ``baseline`` is a distance in metres (shown in km), else
        ``""`` (a number in the unit of ``value``'s measure).
    aliases
        Threshold names as :func:`runback.model.flags` takes them -> the
        function's keyword, where they differ (names are unique across rules).
    """

    id: str
    kind: Literal["load", "journal"]
    function: Callable[..., pl.DataFrame]
    inputs: tuple[str, ...]
    label: Text
    phrase: Text
    advice: Text
    evidence: Text
    strength: str
    bands: Mapping[str, Band]
    severity: int
    default: bool = True
    week_rule: bool = False
    about_pain: bool = False
    ratio: bool = False
    event: Literal["day", "week", "streak"] | None = None
    baseline_unit: str = ""
    leads: bool = False
    aliases: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        keyword = {
            name: p.default
            for name, p in inspect.signature(self.function).parameters.items()
            if p.kind is inspect.Parameter.KEYWORD_ONLY
        }
        public = {v: k for k, v in self.aliases.items()}
        object.__setattr__(self, "params", {public.get(name, name): default for name, default in keyword.items()})

    def kwargs(self, thresholds: Mapping[str, Any]) -> dict[str, Any]:
        """The function's keyword arguments for the thresholds that are this rule's."""
        return {self.aliases.get(k, k): v for k, v in thresholds.items() if k in self.params}

    def run(self, frames: Mapping[str, pl.DataFrame | None], thresholds: Mapping[str, Any]) -> pl.DataFrame:
        """The rule's flags from the model's ``frames`` and the ``thresholds`` given."""
        return self.function(*(frames[name] for name in self.inputs), **self.kwargs(thresholds))

    def band_severity(self, band: str | None) -> int:
        spec = self.bands.get(band or "")
        return spec.severity if spec is not None else 0

    @property
    def strength_rank(self) -> int:
        """:func:`strength_rank` of this rule's evidence."""
        return strength_rank(self.strength)

    @property
    def quiet(self) -> bool:
        """Drawn quieter in the reports: a heuristic or weak-evidence rule that is not about the logged pain."""
        return not self.about_pain and self.strength_rank <= 1


def strength_rank(strength: str) -> int:
    """How much a rule's evidence weighs, for ordering and drawing: higher is stronger.

    3 ``moderate`` (a study of runners or of the instrument), 2 ``weak-moderate``,
    1 ``weak`` or physiotherapy advice, 0 contested.
    """
    text = strength.lower()
    if "contested" in text:
        return 0
    if text.startswith("moderate"):
        return 3
    if text.startswith("weak-moderate"):
        return 2
    return 1


def band_label(rules: Mapping[str, Rule], rule: str | None, band: str, lang: str) -> str:
    """A band name in ``lang``: the rule's own label; ``7+_days`` as ``7+ days``; else as it is."""
    owner = rules.get(rule or "")
    if owner is not None and band in owner.bands:
        return owner.bands[band].label[lang]
    for r in rules.values():
        if band in r.bands:
            return r.bands[band].label[lang]
    days = re.fullmatch(r"(\d+)\+_days", band)
    if days:
        return f"{days.group(1)}+ {'dagen' if lang == 'nl' else 'days'}"
    return band.replace("_", " ")
