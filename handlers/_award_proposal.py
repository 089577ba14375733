"""``/khenthuong tai``: the bloc's commendation proposal (tờ trình) as a Word document, from
the bloc file's forms and grounds, the unit the vote elected and the nominations the chair
included."""

from __future__ import annotations

from bot.domain.events import OutFile
from bot.domain.scoring import format_points, totals
from bot.kernel.context import Context
from bot.services.exports.docx_covenant import DOCX_MIME
from bot.services.exports.docx_proposal import (
    Entry,
    FormSection,
    Leading,
    ProposalDocument,
    render_proposal,
)
from handlers._score_views import final_sheets, year_scoring
from handlers._vote_minutes import elected
from storage.year_records import Awards, EmulationYear


async def _leading(ctx: Context, year: EmulationYear, names: dict[int, str]) -> Leading | None:
    """The unit the vote elected, with its total where the year has a table."""
    leader = await elected(ctx, year)
    if leader is None:
        return None
    scoring = await year_scoring(ctx)
    total = None
    if scoring is not None:
        sheet = (await final_sheets(ctx, scoring)).get(leader.unit_id)
        if sheet:
            total = format_points(totals(scoring.table, sheet).total, "vi")
    return Leading(names.get(leader.unit_id, "?"), total, leader.votes, leader.units)


async def proposal_sections(ctx: Context, year: EmulationYear,
                            rules: Awards) -> list[FormSection]:
    """What the bloc proposes, form by form (the proposal and the year-end report)."""
    names = {unit.id: unit.name for unit in await ctx.repo.list_units(ctx.bloc.id)}
    included = [n for n in await ctx.repo.nominations(year.id) if n.included]
    sections = []
    for form in rules.forms:
        if form.leading_unit:
            sections.append(FormSection(form.name, False, form.quota, for_leading_unit=True,
                                        leading=await _leading(ctx, year, names)))
            continue
        entries = [Entry(ctx.t("awards.person", lang="vi", name=n.nominee, position=n.position)
                         if n.position else n.nominee, names.get(n.unit_id, "?"), n.summary)
                   for n in included if n.form == form.code]
        sections.append(FormSection(form.name, form.kind == "individual", form.quota,
                                    entries=entries))
    return sections


async def send_proposal(ctx: Context, year: EmulationYear, rules: Awards) -> None:
    """The proposal as a Word document, and what it holds."""
    sections = await proposal_sections(ctx, year, rules)
    content = render_proposal(ProposalDocument(
        ministry=ctx.bloc.ministry, bloc=ctx.bloc.name, year=year.year,
        recipient=rules.recipient, grounds=rules.grounds, forms=sections,
        today=ctx.today(), place=ctx.t("export.place", lang="vi"), chair=ctx.bloc.signer_name))
    entries = sum(len(section.entries) for section in sections)
    leader = next((s.leading for s in sections if s.leading is not None), None)
    ctx.reply(ctx.t("awards.document", entries=entries,
                    leader=leader.unit if leader else ctx.t("awards.no_leader_yet")),
              file=OutFile(ctx.t("awards.file_name", year=year.year), content, DOCX_MIME))
