"""How pathways and risk bands look everywhere in the app: one colour per band and pathway,
the reasons behind a pathway, the factors behind a score, and simple horizontal bars.

Plain Rich renderables (no Textual), shared by the caseload, person, dashboard, at-risk,
plan and workers screens.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from transition.eligibility import MANAGER_OVERRIDE
from transition.handover_status import HandoverStatus
from transition.widgets.format import (
    NOT_RECORDED,
    count,
    uk_date,
    uk_dates_in,
    uk_time,
    words,
)

PATHWAYS: tuple[str, ...] = ("council", "trust", "joint", "assess", "signpost")
BANDS: tuple[str, ...] = ("red", "amber", "green")

PATHWAY_STYLES: Mapping[str, str] = {
    "council": "bold cyan",
    "trust": "bold magenta",
    "joint": "bold blue",
    "assess": "bold yellow",
    "signpost": "dim",
}
def next_choice(values: tuple[str, ...], current: str | None) -> str | None:
    """The next value after ``current``, then None (everyone), then the first again: how a
    key steps through pathways or bands."""
    if current not in values:
        return values[0]
    position = values.index(current)
    return values[position + 1] if position + 1 < len(values) else None


BAND_STYLES: Mapping[str, str] = {"red": "bold red", "amber": "bold yellow", "green": "green"}
BAND_BAR_STYLES: Mapping[str, str] = {"red": "red", "amber": "yellow", "green": "green"}
PATHWAY_MEANING: Mapping[str, str] = {
    "council": "the council holds the case (a social worker)",
    "trust": "the trust holds the case (a key worker)",
    "joint": "council and trust together (both workers)",
    "assess": "a Care Act needs assessment comes first (a social worker)",
    "signpost": "advice and information, with a letter (no worker)",
}


def pathway_text(pathway: str | None, *, overridden: bool = False) -> Text:
    """'council' in its colour; '—' when not decided; a ✎ when a manager set it."""
    if not pathway:
        return Text("not yet", style="dim italic")
    text = Text(pathway, style=PATHWAY_STYLES.get(pathway, ""))
    if overridden:
        text.append(" ✎", style="bold")
    return text


def band_text(band: str | None, score: int | None = None, *, overridden: bool = False) -> Text:
    """'● red 20' in the band's colour; 'not yet' when the person has not been assessed; a ✎
    after the band when a manager set it (the score stays the rules')."""
    if not band:
        return Text("not yet", style="dim italic")
    text = Text(f"● {band}", style=BAND_STYLES.get(band, ""))
    if overridden:
        text.append(" ✎", style="bold")
    if score is not None:
        text.append(f" {score}")
    return text


def bar(value: int, largest: int, width: int, style: str) -> Text:
    """A horizontal bar of ``width`` cells at most, scaled so ``largest`` fills it."""
    cells = 0 if largest <= 0 else round(width * value / largest)
    if value and not cells:
        cells = 1  # anyone at all shows as a sliver
    return Text("█" * cells, style=style) + Text("░" * (width - cells), style="dim")


def count_bars(
    counts: Mapping[str, int], styles: Mapping[str, str], *, width: int = 24,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """One line per key: label, count, and a bar scaled to the largest count."""
    largest = max(counts.values(), default=0)
    total = sum(counts.values())
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", style="dim", no_wrap=True)
    for key, value in counts.items():
        share = f"{round(100 * value / total)}%" if total else ""
        grid.add_row(Text((labels or {}).get(key, key), style=styles.get(key, "")),
                     count(value), bar(value, largest, width, styles.get(key, "")), share)
    return grid


def rules_reasons(reasons: Iterable[Mapping[str, Any]] | None) -> list[Mapping[str, Any]]:
    """The rules' own reasons, deciding one first, without the manager's override that heads
    the stored list while one is set (the screens show who set it, when and why, beside)."""
    return [reason for reason in reasons or () if reason.get("rule") != MANAGER_OVERRIDE]


def reason_words(reason: Mapping[str, Any], *, deciding: bool = False,
                 with_rule: bool = True) -> Text:
    """A reason in the words the rules file gave it when the pathway was decided (bold for
    the deciding one), then, with ``with_rule``, its rule's id dim in brackets, as the app
    shows a staff id after a name: the id names the table a council rewords it in
    (``[eligibility.reasons.ID]``). A reason stored without words shows its id alone."""
    said = str(reason.get("reason") or "").strip()
    rule = str(reason.get("rule") or "")
    if not said:
        return Text(rule, style="bold" if deciding else "")
    text = Text(said, style="bold" if deciding else "")
    if with_rule and rule:
        text.append(f" ({rule})", style="dim not bold")
    return text


def reasons_table(reasons: Iterable[Mapping[str, Any]], *, heading: str = "Reason") -> Table:
    """A pathway's reasons in words, one bullet each, the deciding one first (bold), each with
    its legal basis."""
    table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold", expand=True)
    table.add_column("", no_wrap=True, width=1)  # the bullet: a hanging indent for each reason
    table.add_column(heading, ratio=3, overflow="fold")
    table.add_column("Basis", ratio=2, overflow="fold", style="italic")
    for position, reason in enumerate(reasons):
        table.add_row("•", reason_words(reason, deciding=position == 0),
                      str(reason.get("basis") or ""))
    return table


def reasons_list(reasons: Iterable[Mapping[str, Any]]) -> Table:
    """A pathway's reasons in words, one bullet each, the deciding one first (bold): no ids and
    no basis, for a dialog that has room for little more."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for position, reason in enumerate(reasons):
        grid.add_row("•", reason_words(reason, deciding=position == 0, with_rule=False))
    return grid


def pathway_words(pathway: str | None, *, overridden: bool = False) -> Text:
    """'council  the council holds the case (a social worker)': a pathway in its colour (a ✎
    when a manager set it) and what it means; 'not yet' (dim) when none is decided."""
    shown = pathway_text(pathway, overridden=overridden)
    if isinstance(pathway, str) and pathway in PATHWAY_MEANING:
        shown.append(f"  {PATHWAY_MEANING[pathway]}", style="")
    return shown


def factors_table(factors: Iterable[Mapping[str, Any]]) -> Table:
    """A score's factors: points, what it is, and the value that triggered it."""
    table = Table(box=None, padding=(0, 2, 0, 0), header_style="bold", expand=True)
    table.add_column("Points", justify="right", no_wrap=True)
    table.add_column("Factor", ratio=3, overflow="fold")
    table.add_column("Because", ratio=2, overflow="fold", style="dim")
    for factor in factors:
        value = factor.get("value")
        shown = "yes" if value is True else NOT_RECORDED if value is None else uk_dates_in(str(value))
        table.add_row(f"+{factor.get('points', 0)}",
                      str(factor.get("label") or words(str(factor.get("factor") or ""))), shown)
    return table


def pathway_section(detail: Mapping[str, Any]) -> RenderableType:
    """The person screen's pathway box: the pathway, who decided it, and every reason."""
    pathway = detail.get("pathway")
    override = detail.get("pathway_override")
    head = Table.grid(padding=(0, 2))
    head.add_column(style="dim", no_wrap=True)
    head.add_column(overflow="fold")
    head.add_row("Pathway", pathway_words(pathway, overridden=override is not None))
    if override is not None:
        head.add_row("Set by", set_by(override))
        head.add_row("Rules would say", pathway_words(detail.get("pathway_rules_decision")))
    if detail.get("pathway_rules_version"):
        head.add_row("Rules version", str(detail["pathway_rules_version"]))
    if pathway is None:
        return Group(head, Text("Not assessed yet: run transition assess (or plan).",
                                style="yellow"))
    # Under an override the reasons are the rules' (the manager's are in "Set by").
    reasons = rules_reasons(detail.get("pathway_reasons"))
    if not reasons:
        return head
    return Group(head, Text(), reasons_table(
        reasons, heading="Reason" if override is None else "The rules' reasons"))


def set_by(override: Mapping[str, Any]) -> Text:
    """'j.smith on 3 Feb 2027 10:15: Agreed at panel.': who set a manager's choice, when, why."""
    return Text.assemble((f"{override.get('by') or 'a manager'}", "bold"),
                         f" on {uk_time(override.get('at'))}: {override.get('reason') or ''}")


def risk_section(detail: Mapping[str, Any]) -> RenderableType:
    """The person screen's risk box: score, band and what it means, and every factor."""
    score = detail.get("risk_score")
    if score is None:
        return Text("Not assessed yet: run transition assess (or plan).", style="yellow")
    head = Table.grid(padding=(0, 2))
    head.add_column(style="dim", no_wrap=True)
    head.add_column(overflow="fold")
    band = detail.get("risk_band")
    meaning = detail.get("risk_band_meaning")
    override = detail.get("risk_band_override")
    shown = band_text(band, score, overridden=override is not None)
    if meaning:
        shown.append(f"  {meaning}", style="")
    head.add_row("Handover risk", shown)
    if override is not None:
        head.add_row("Set by", set_by(override))
        rules_band = override.get("rules_band")  # unknown when the rules file is broken
        head.add_row("Rules would say", band_text(rules_band, score) if rules_band
                     else Text(f"score {score}"))
    as_of = detail.get("risk_as_of")
    if as_of is not None:
        head.add_row("As of", uk_date(as_of))
    factors = detail.get("risk_factors") or []
    shown_factors: RenderableType = (Text("No risk factor applies.", style="dim") if not factors
                                     else Group(Text(), factors_table(factors)))
    not_counted = dates_not_counted_text(detail.get("risk_dates_not_counted"), as_of)
    if not_counted is None:
        return Group(head, shown_factors)
    return Group(head, shown_factors, Text(), not_counted)


def dates_not_counted_text(dates: Iterable[Mapping[str, Any]] | None,
                           as_of: Any) -> Text | None:
    """'Not counted: last discharge 1 Dec 2026 is after the day measured (20 Nov 2026); ...':
    each date the score left out because it had not happened by then (most likely a mistyped
    date), or None."""
    lines = [f"Not counted: {item.get('label')} {uk_date(item.get('value'))} is after the day "
             f"measured ({uk_date(as_of)}); check the date with the trust."
             for item in dates or ()]
    return Text("\n".join(lines), style="yellow") if lines else None


def handover_text(handover: HandoverStatus | None, band: str | None,
                  sentence: str | None = None) -> Text:
    """Where a handover stands (``sentence``, or its short words), coloured by what needs
    doing: red when a role has no one; yellow when a red-band person's worker changes and the
    joint visit is not done; green when it is."""
    if handover is None:
        return Text("—", style="dim")
    said = sentence or handover.short()
    if handover.state == "no_worker" or (band == "red" and handover.visit_open):
        return Text(said, style="bold red" if handover.state == "no_worker" else "yellow")
    if handover.visit_open:
        return Text(said)
    return Text(said, style="dim" if handover.state != "changes" else "green")
