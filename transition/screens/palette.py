"""The command palette (ctrl+p): every screen by name, and people by name or NHS number."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from transition import nhs
from transition.people import PeopleQuery, PersonRow, list_people

if TYPE_CHECKING:
    from transition.app import TransitionApp

PEOPLE_SHOWN = 8


class ScreensProvider(Provider):
    """Every section and screen the app registers, found by typing its name."""

    @property
    def transition(self) -> TransitionApp:
        return cast("TransitionApp", self.app)

    async def discover(self) -> Hits:
        for destination in self.transition.destinations.values():
            yield DiscoveryHit(
                destination.title,
                partial(self.transition.go, destination.name),
                help=destination.description,
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for destination in self.transition.destinations.values():
            score = max(matcher.match(destination.title), matcher.match(destination.name))
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(destination.title),
                    partial(self.transition.go, destination.name),
                    text=destination.title,
                    help=destination.description,
                )


class PeopleProvider(Provider):
    """People whose name, NHS number, local id or postcode contains what was typed."""

    @property
    def transition(self) -> TransitionApp:
        return cast("TransitionApp", self.app)

    def _find(self, text: str) -> list[PersonRow]:
        with self.transition.database.session() as session:
            return list_people(session, PeopleQuery(search=text, limit=PEOPLE_SHOWN)).rows

    async def search(self, query: str) -> Hits:
        text = query.strip()
        if len(text) < 3:
            return
        for row in await asyncio.to_thread(self._find, text):
            label = (f"{row.family_name}, {row.given_name}  {nhs.format_334(row.nhs_number)}")
            # Below a screen whose name matches well, above a weak fuzzy match.
            yield Hit(
                0.5,
                label,
                partial(self.transition.open_person, row.id),
                text=label,
                help=f"Person · {row.team or 'no team'} · open their details",
            )
