"""Issue 24, end of point 4: the office writes its corrections of the grouping into a thesaurus beside its workspace
(`consolidate corrections --thesaurus`), and a later run with no register and no old workbook (next year's) groups
those points as the office did."""
from __future__ import annotations

import tomllib

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.form import load_spec
from pipeline.narratives.office_thesaurus import read_office_themes
from pipeline.narratives.themes import thesaurus_for
from tests.helpers import run_json
from tests.test_corrections import number_of, type_in

FUNDS = "Đề nghị tăng kinh phí hỗ trợ hoạt động công đoàn cơ sở."
HALL = "Kiến nghị sửa chữa nhà văn hóa của cơ quan."
TRAINING = "Kiến nghị tổ chức tập huấn nghiệp vụ cho cán bộ công đoàn cơ sở."
CARE = "Đề nghị cấp trên quan tâm hơn nữa đến đời sống đoàn viên."
WATER = "Kiến nghị lắp đặt hệ thống nước uống cho đoàn viên."
OFFICE_FILE = "tu-dien-nhom-bao-cao-cd-2023.toml"
NEW_LABEL = "Cơ sở vật chất của cơ quan"


@pytest.fixture()
def office(tmp_path, write_submission, monkeypatch):
    """Four units' recommendations; the working folder is tmp_path (where the office's thesaurus is looked for)."""
    monkeypatch.chdir(tmp_path)
    write_submission("a.xlsx", "CD001", tm_V=f"{FUNDS} {HALL}")
    write_submission("b.xlsx", "CD002", tm_V=FUNDS)
    write_submission("c.xlsx", "CD003", tm_V=TRAINING)
    write_submission("d.xlsx", "CD004", tm_V=f"{CARE} {WATER}")
    return tmp_path / "inbox", tmp_path / "outbox"


def run(inbox, outbox) -> dict:
    code, document = run_json(inbox, outbox)
    assert code == 0, document
    return document


def group_of(document: dict, unit: str, text: str, field: str = "tm_V") -> dict:
    return next(g for g in document["themes"][field]
                if any(s["unit"] == unit and s["text"] == text for s in g["sentences"]))


def export(outbox, target, *extra: str):
    return CliRunner().invoke(cli, ["--outbox", str(outbox), "corrections", "--thesaurus", str(target), *extra])


def grouping(document: dict) -> dict[str, set]:
    """Per field, each group as its label and its points (the order of groups of equal size aside)."""
    return {field: {(g["label"], frozenset((s["unit"], s["text"]) for s in g["sentences"])) for g in groups}
            for field, groups in document["themes"].items()}


def corrected(office) -> tuple[dict, dict]:
    """The office's three kinds of moves typed in "Phân nhóm câu" and run again: (first run, corrected run)."""
    inbox, outbox = office
    first = run(*office)
    training = group_of(first, "CD003", TRAINING)["label"]
    assert training == "Tập huấn nghiệp vụ cho cán bộ công đoàn"  # a theme of the form's thesaurus
    assert group_of(first, "CD001", FUNDS)["label"] == FUNDS  # a group of sentences alike
    type_in(outbox, "CD004", CARE, number_of(outbox, training))  # into the form theme's group
    type_in(outbox, "CD004", WATER, number_of(outbox, FUNDS))  # into the group of sentences alike
    type_in(outbox, "CD001", HALL, NEW_LABEL)  # a group the office names
    again = run(*office)
    assert group_of(again, "CD004", CARE)["label"] == training
    assert group_of(again, "CD004", WATER)["units"] == ["CD001", "CD002", "CD004"]
    assert group_of(again, "CD001", HALL)["label"] == NEW_LABEL
    return first, again


def test_the_exported_thesaurus_groups_a_fresh_run_as_the_office_did(office, tmp_path, monkeypatch):
    inbox, outbox = office
    first, again = corrected(office)
    target = tmp_path / "xuat" / OFFICE_FILE
    result = export(outbox, target)
    assert result.exit_code == 0, result.output
    assert f"Đã ghi từ điển nhóm của văn phòng: {target} (3 chủ đề" in result.stdout
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# Từ điển nhóm ý kiến của văn phòng") and "Văn phòng được sửa tệp này" in text
    themes = {t["label"]: t for t in tomllib.loads(text)["themes"]}
    assert themes["Tập huấn nghiệp vụ cho cán bộ công đoàn"]["id"] == "tap-huan-can-bo"  # the form theme's own id
    assert themes["Tập huấn nghiệp vụ cho cán bộ công đoàn"]["any"] == [
        "đề nghị cấp trên quan tâm hơn nữa đến đời sống đoàn viên"]
    assert themes[FUNDS]["any"] == ["đề nghị tăng kinh phí hỗ trợ hoạt động công đoàn cơ sở",
                                    "kiến nghị lắp đặt hệ thống nước uống cho đoàn viên"]
    assert themes[NEW_LABEL] == {"id": "co-so-vat-chat-cua-co-quan", "label": NEW_LABEL, "fields": ["tm_V"],
                                 "any": ["kiến nghị sửa chữa nhà văn hóa của cơ quan"]}
    assert all(t["fields"] == ["tm_V"] for t in themes.values())

    # next year: a fresh workspace, no register, no old workbook, the thesaurus beside it
    fresh = tmp_path / "nam-sau"
    fresh.mkdir()
    (fresh / OFFICE_FILE).write_bytes(target.read_bytes())
    monkeypatch.chdir(fresh)
    later = run(inbox, fresh / "outbox")
    assert grouping(later) == grouping(again)
    assert grouping(later) != grouping(first)
    assert group_of(later, "CD004", WATER)["units"] == ["CD001", "CD002", "CD004"]
    assert group_of(later, "CD001", HALL)["label"] == NEW_LABEL
    # without it, the form's own thesaurus alone: as the first run grouped
    (fresh / OFFICE_FILE).unlink()
    assert grouping(run(inbox, fresh / "outbox-2")) == grouping(first)


def test_exporting_never_writes_over_a_file(office, tmp_path):
    inbox, outbox = office
    corrected(office)
    target = tmp_path / "tu-dien.toml"
    target.write_text("# văn phòng đã sửa\n", encoding="utf-8")
    result = export(outbox, target)
    assert result.exit_code == 2
    assert f"Tệp {target} đã có" in result.stderr
    assert target.read_text(encoding="utf-8") == "# văn phòng đã sửa\n"


def test_riêng_is_listed_in_a_comment_and_nothing_to_export_exits_2(office, tmp_path):
    inbox, outbox = office
    nothing = export(outbox, tmp_path / "a.toml")
    assert nothing.exit_code == 2 and "Không có sổ tiếp nhận" in nothing.stderr
    run(*office)
    empty = export(outbox, tmp_path / "b.toml")
    assert empty.exit_code == 2 and "chưa có chỉnh sửa phân nhóm nào" in empty.stderr
    assert not (tmp_path / "a.toml").exists() and not (tmp_path / "b.toml").exists()
    type_in(outbox, "CD004", WATER, "riêng")
    run(*office)
    result = export(outbox, tmp_path / "c.toml")
    assert result.exit_code == 0, result.output
    assert "0 chủ đề" in result.stdout and "1 ý văn phòng để riêng" in result.stdout
    text = (tmp_path / "c.toml").read_text(encoding="utf-8")
    assert f"CD004: {WATER}" in text and tomllib.loads(text) == {}


def test_a_broken_office_thesaurus_refuses_the_run_naming_the_file_and_the_line(office, tmp_path):
    inbox, outbox = office
    (tmp_path / OFFICE_FILE).write_text('[[themes]]\nid = "a"\nlabel = "A\nany = ["x"]\n', encoding="utf-8")
    code, document = run_json(inbox, outbox)
    assert code == 2
    message = document["error"]["message"]
    assert OFFICE_FILE in message and "dòng 3" in message
    assert not outbox.exists() or not any(outbox.iterdir())  # nothing read, nothing written
    # a theme without phrases, a field the form does not have: named with the theme's line
    (tmp_path / OFFICE_FILE).write_text('# ghi chú\n\n[[themes]]\nid = "a"\nlabel = "A"\nany = ["x y"]\n\n'
                                        '[[themes]]\nid = "b"\nlabel = "B"\nfields = ["tm_X"]\nany = ["z"]\n',
                                        encoding="utf-8")
    code, document = run_json(inbox, outbox)
    assert code == 2 and "dòng 8" in document["error"]["message"] and "tm_X" in document["error"]["message"]
    result = CliRunner().invoke(cli, ["check", str(inbox / "a.xlsx")])
    assert result.exit_code == 2 and OFFICE_FILE in result.stderr


def test_office_themes_come_first_and_a_form_themes_id_only_adds_phrases(tmp_path, monkeypatch):
    spec = load_spec()
    form = thesaurus_for(spec)
    monkeypatch.chdir(tmp_path)
    (tmp_path / OFFICE_FILE).write_text(
        '[[themes]]\nid = "tap-huan-can-bo"\nlabel = "Khác"\nfields = ["tm_V"]\nany = ["lớp bồi dưỡng", "Lớp  tập huấn"]\n\n'
        '[[themes]]\nid = "nuoc-uong"\nlabel = "Nước uống"\nfields = ["tm_V"]\naddressee = "dang-nha-nuoc"\n'
        'any = ["nước uống", "hệ thống nước uống"]\n', encoding="utf-8")
    merged = thesaurus_for(spec)
    assert merged.themes[0].id == "nuoc-uong" and len(merged.themes) == len(form.themes) + 1
    training = next(t for t in merged.themes if t.id == "tap-huan-can-bo")
    before = next(t for t in form.themes if t.id == "tap-huan-can-bo")
    assert training.label == before.label and training.phrases[:len(before.phrases)] == before.phrases
    assert before.phrases.count("lớp tập huấn") == 1  # the same words again: not counted twice
    assert not any("Lớp" in p for p in training.phrases)
    assert "lớp bồi dưỡng" in training.phrases
    assert merged.theme_of(WATER, "tm_V").id == "nuoc-uong"
    assert len(read_office_themes(tmp_path / OFFICE_FILE, spec)) == 2
    # the file edited: read again
    (tmp_path / OFFICE_FILE).write_text('[[themes]]\nid = "x"\nlabel = "X"\nany = ["nước uống"]\n', encoding="utf-8")
    assert thesaurus_for(spec).themes[0].id == "x"
