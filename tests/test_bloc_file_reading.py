"""Reading a bloc file that is not even a bloc: bad YAML, no file, wrong shape, odd dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.bloc import BlocFileError, load_bloc_file
from tests.test_bloc_file import dump, error_for, example, render

# -- mistakes in the file itself ----------------------------------------------------------------


def test_invalid_yaml_names_the_line() -> None:
    lines = dump(example()).splitlines()
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("theme:"))
    lines[number - 1] = "theme: Kỷ cương: kết nối"  # an unquoted colon inside a value

    error = error_for("\n".join(lines))

    assert [(p.kind, p.params) for p in error.problems] == [
        ("invalid_yaml", {"line": str(number)})
    ]
    assert f"toàn tệp: tệp viết sai cú pháp YAML gần dòng {number}" in render(error)


@pytest.mark.parametrize("deep", ["theme: " + "[" * 5000 + "]" * 5000,
                                  dump(example()) + "\nextra: " + "[" * 3000 + "]" * 3000])
def test_a_file_nested_thousands_deep_is_refused_clearly(deep: str) -> None:
    error = error_for(deep)

    assert [p.kind for p in error.problems] == ["too_deep"]
    assert "toàn tệp: tệp lồng nhau quá sâu" in render(error)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "khoi.yaml"

    with pytest.raises(BlocFileError) as caught:
        load_bloc_file(path)

    assert [p.kind for p in caught.value.problems] == ["file_not_found"]
    text = render(caught.value)
    assert f"không tìm thấy tệp {path}" in text
    assert str(path) in text.splitlines()[0]


def test_a_top_level_list_is_refused() -> None:
    error = error_for(dump([example()]))

    assert [(p.where(), p.kind) for p in error.problems] == [("", "not_a_mapping")]
    assert "toàn tệp: cần là một nhóm các mục “tên: giá trị”" in render(error)


def test_an_empty_file_is_refused() -> None:
    error = error_for("")

    assert [p.kind for p in error.problems] == ["not_a_mapping"]


def test_a_file_on_disk_is_named_in_the_header(tmp_path: Path) -> None:
    data = example()
    data["timezone"] = "Asia/Hanoi"
    path = tmp_path / "khoi.yaml"
    path.write_text(dump(data), encoding="utf-8")

    with pytest.raises(BlocFileError) as caught:
        load_bloc_file(path)

    assert caught.value.path == path
    assert render(caught.value).splitlines()[0] == (
        f"Tệp cấu hình của Khối ({path}) có 1 lỗi, chưa được nạp:"
    )


# -- known bugs ---------------------------------------------------------------------------------


def test_an_impossible_iso_date_is_a_problem_not_a_crash() -> None:
    # a text edit: yaml.safe_dump would quote the string, and the secretary does not
    text = dump(example()).replace("end: 31/12/2023", "end: 2023-11-31")
    assert "end: 2023-11-31" in text

    error = error_for(text)

    assert [(p.where(), p.kind) for p in error.problems] == [("periods[1].end", "not_a_date")]
