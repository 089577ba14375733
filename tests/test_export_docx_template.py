"""The draft report's wording template: a custom template rewords the report and falls back
to the default file for what it leaves out, a broken one is refused with
:class:`~bot.services.exports.docx_report.ReportTemplateError`, and the code that writes the
report holds no Vietnamese wording of its own.
"""

from __future__ import annotations

import ast
from pathlib import Path
from types import ModuleType

import pytest

from bot.services.exports import docx_report, docx_wording, docx_writer
from bot.services.exports.data import TaskRow
from bot.services.exports.docx_report import ReportTemplateError, render_docx
from tests.docx_helpers import HEADINGS, UNITS, export, read, texts


def test_custom_template_rewords_and_falls_back(tmp_path: Path) -> None:
    custom = tmp_path / "report.toml"
    custom.write_text('[results]\nheading = "I. KẾT QUẢ ĐẠT ĐƯỢC"\n\n[title]\nintro = ""\n',
                      encoding="utf-8")
    data = export(UNITS[:2], (TaskRow(1, "Nhiệm vụ một", None),))
    default, changed = texts(read(data)), texts(read(data, custom))
    assert "I. KẾT QUẢ THỰC HIỆN" in default and "I. KẾT QUẢ THỰC HIỆN" not in changed
    assert "I. KẾT QUẢ ĐẠT ĐƯỢC" in changed
    assert HEADINGS[1] in changed and "BÁO CÁO" in changed  # the rest from the default file
    assert any(t.startswith("Thực hiện Giao ước") for t in default)
    assert not any(t.startswith("Thực hiện Giao ước") for t in changed)  # "" drops the line


def test_broken_template_is_refused(tmp_path: Path) -> None:
    custom = tmp_path / "report.toml"
    custom.write_text('[results]\nheading = "I. {kết_quả}"\n', encoding="utf-8")
    with pytest.raises(ReportTemplateError, match=r"results\.heading"):
        render_docx(export(UNITS[:1], ()), custom)
    custom.write_text('[closing]\nrecipients = "- Vụ TĐKT;"\n', encoding="utf-8")
    with pytest.raises(ReportTemplateError, match=r"closing\.recipients"):
        render_docx(export(UNITS[:1], ()), custom)


@pytest.mark.parametrize("module", [docx_report, docx_wording, docx_writer],
                         ids=lambda module: module.__name__.rpartition(".")[2])
def test_code_has_no_vietnamese_wording_of_its_own(module: ModuleType) -> None:
    tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    literals = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                and isinstance(node.value, str) and id(node) not in docstrings]
    assert literals and not [t for t in literals if any(c.isalpha() and not c.isascii() for c in t)]

