"""``/khenthuong tai``: the bloc's commendation proposal (tờ trình) as a Word document, from
the bloc file's forms and grounds, the unit the vote elected and the nominations the chair
included."""

from __future__ import annotations

from bot.domain.events import OutFile
from bot.domain.text import escape
from bot.kernel.context import Context
from bot.services.exports.data import DOCX_MIME
from bot.services.year_results import proposal_sections
from storage.year_records import Awards, EmulationYear


async def send_proposal(ctx: Context, year: EmulationYear, rules: Awards) -> None:
    """The proposal as a Word document, and what it holds."""
    from bot.services.exports.docx_proposal import ProposalDocument, render_proposal

    sections = await proposal_sections(ctx.repo, year, rules,
                                       await ctx.repo.list_units(ctx.bloc.id),
                                       ctx.translator("vi"))
    content = render_proposal(ProposalDocument(
        ministry=ctx.bloc.ministry, bloc=ctx.bloc.name, year=year.year,
        recipient=rules.recipient, grounds=rules.grounds, forms=sections,
        today=ctx.today(), place=ctx.t("export.place", lang="vi"), chair=ctx.bloc.signer_name))
    entries = sum(len(section.entries) for section in sections)
    leader = next((s.leading for s in sections if s.leading is not None), None)
    ctx.reply(ctx.t("awards.document", entries=entries,
                    leader=escape(leader.unit) if leader else ctx.t("awards.no_leader_yet")),
              file=OutFile(ctx.t("awards.file_name", year=year.year), content, DOCX_MIME))
