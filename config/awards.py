"""The year's commendation proposals (đề nghị khen thưởng), as the bloc file writes them.

To whom the bloc proposes (its ministry's Emulation and Commendation Council), on what
grounds, the forms it may propose for (the emulation flag for the unit the vote elects, the
Minister's certificate of merit, ...) with the quota its rules give each, and by when the
units nominate their exemplary collectives and individuals. The bot holds none of it: the
law frames the forms (Luật Thi đua, khen thưởng 2022; Nghị định 98/2023/NĐ-CP) and each
bloc's rules (quy chế) give the numbers.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from config.fields import Code, DayOrMoment, Strict, Text, in_order, no_duplicates

__all__ = ["AwardFormConfig", "AwardsConfig"]


class AwardFormConfig(Strict):
    """One form of commendation the bloc may propose for."""

    code: Code
    name: Text
    """As the proposal names it, e.g. "Bằng khen của Bộ trưởng Bộ Khoa học và Công nghệ"."""
    kind: Literal["collective", "individual"] = "collective"
    """For a collective (tập thể) or for a person (cá nhân)."""
    quota: int | None = Field(default=None, ge=1)
    """The most the bloc proposes for it (None: the bloc's rules set no number)."""
    per_unit: int | None = Field(default=None, ge=1)
    """The most one unit nominates for it (None: no limit)."""
    leading_unit: bool = False
    """The form for the unit the vote elects (the emulation flag): proposed from the vote's
    result, never nominated by a unit."""


class AwardsConfig(Strict):
    """The year's commendation proposals."""

    recipient: Text
    """Whom the proposal is addressed to (Kính gửi: ...)."""
    grounds: tuple[Text, ...] = ()
    """The proposal's legal grounds, one "Căn cứ ..." each."""
    opens: DayOrMoment | None = None
    """The earliest the units may nominate (None: any time in the year)."""
    deadline: DayOrMoment
    """The units nominate by then (a bare date: by the end of that day)."""
    forms: tuple[AwardFormConfig, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> AwardsConfig:
        in_order(self.opens, self.deadline)
        no_duplicates("awards.forms", [form.code for form in self.forms])
        leading = [form for form in self.forms if form.leading_unit]
        if len(leading) > 1 or any(form.kind != "collective" for form in leading):
            raise PydanticCustomError("leading_form", "one collective leading form", {
                "value": ", ".join(form.code for form in leading)})
        return self
