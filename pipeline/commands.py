"""The subcommands of `consolidate`: each a thin translation of its options into a call of the library, its
messages in Vietnamese; the group, the exit codes and the error mapping are cli.py's."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from pipeline.cli import (
    CONTEXT,
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    _echo,
    _fail,
    _handled,
    _help,
    _load,
    _office_thesaurus_checked,
    _parse_deadline,
    cli,
)
from pipeline.form import SpecError, load_spec


@cli.command(context_settings=CONTEXT, epilog="Ví dụ:\n\n\b\n  consolidate template\n"
             "  consolidate template --roster ds-cdcs.xlsx --out mau-gui-di")
@click.option("--form", default=None, metavar="MẪU", help="Mã mẫu biểu hoặc tệp .toml.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="Danh sách đơn vị: tạo thêm một bản cho mỗi đơn vị, điền sẵn mã và tên.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("templates"),
              show_default=True, help="Thư mục ghi mẫu.")
@click.option("--office-part", "office_part", is_flag=True,
              help="Tạo tệp phần của văn phòng (phan-van-phong-<mẫu>.xlsx): nội dung và số liệu của riêng văn phòng "
                   "cho dự thảo báo cáo.")
@click.pass_context
@_help
@_handled
def template(ctx: click.Context, form: str | None, roster: Path | None, out_dir: Path, office_part: bool) -> None:
    """Tạo mẫu báo cáo Excel để gửi cho các CĐCS (hoặc, với --office-part, tệp phần của văn phòng)."""
    from pipeline.template.publish import publish_templates

    if office_part:
        from pipeline.office_part import write_office_part

        spec, _ = _load(form or ctx.obj.get("form"), None)
        path = write_office_part(spec, out_dir)
        _echo(f"Đã tạo tệp phần của văn phòng: {path}\nVăn phòng ghi vào các ô màu vàng rồi lưu lại; lần chạy "
              f"consolidate sau sẽ đặt nội dung này lên đầu từng mục của dự thảo báo cáo.")
        return
    spec, units = _load(form or ctx.obj.get("form"), roster or ctx.obj.get("roster"))
    written = publish_templates(spec, out_dir, units)
    _echo(f"Đã tạo mẫu trắng: {written[0]}")
    if len(written) > 1:
        _echo(f"Đã tạo {len(written) - 1} bản riêng cho từng đơn vị trong {out_dir}/")


@cli.command(context_settings=CONTEXT, epilog="Ví dụ:\n\n\b\n  consolidate init\n  consolidate --form 1-hdcd init")
@click.pass_context
@_help
@_handled
def init(ctx: click.Context) -> None:
    """Ghi tệp consolidate.toml (tên, mã, tiêu đề văn bản, nơi nhận, người ký, email của văn phòng) vào thư mục
    đang làm việc, để sửa cho đúng đơn vị mình; không hỏi gì, không ghi đè tệp đã có."""
    from pipeline.workspace import write_workspace

    spec, _ = _load(ctx.obj.get("form"), None)
    path = write_workspace(spec)
    _echo(f"Đã ghi {path}: mở bằng Notepad, sửa tên, mã, nơi nhận, người ký, email cho đúng đơn vị mình rồi lưu lại. "
          "Từ lần chạy sau, mọi kết quả dùng các thông tin đó.")


@cli.command(context_settings=CONTEXT, epilog="Ví dụ:\n\n\b\n  consolidate check bao-cao-truong-a.xlsx\n"
             "  consolidate check inbox/*.xlsx --json")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--form", default=None, metavar="MẪU", help="Mã mẫu biểu hoặc tệp .toml.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@click.pass_context
@_help
@_handled
def check(ctx: click.Context, files: tuple[Path, ...], form: str | None, as_json: bool) -> None:
    """Kiểm tra một hoặc nhiều tệp báo cáo trước khi gửi hoặc khi tiếp nhận."""
    from pipeline.console import describe_checked
    from pipeline.run import check_files

    spec, units = _load(form or ctx.obj.get("form"), ctx.obj.get("roster"), ctx.obj.get("period"))
    _office_thesaurus_checked(spec)
    records = check_files(spec, list(files), roster=units, period=ctx.obj.get("period"))
    if as_json or ctx.obj.get("as_json"):
        _echo(json.dumps([r.as_json() for r in records], ensure_ascii=False, indent=2))
    else:
        _echo(describe_checked(records))
    sys.exit(EXIT_PROBLEMS if any(r.has_errors for r in records) else EXIT_OK)


@cli.command(context_settings=CONTEXT, epilog="Ví dụ:\n\n\b\n  consolidate demo\n  consolidate demo /tmp/thu-nghiem\n"
             "  consolidate demo --levels 2 demo-2-cap")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--levels", type=click.IntRange(1, 2), default=1, show_default=True,
              help="2: ba công đoàn cấp trên cơ sở tự tổng hợp, rồi cấp trên nữa tổng hợp các bảng tổng hợp của họ.")
@click.pass_context
@_help
@_handled
def demo(ctx: click.Context, directory: Path | None, levels: int) -> None:
    """Tạo một bộ dữ liệu mẫu (khoảng 40 CĐCS) rồi chạy tổng hợp trên đó; không đụng tới ./inbox."""
    from pipeline.console import summary
    from pipeline.demo import build_demo
    from pipeline.office_part import read_office_part
    from pipeline.run import RunOptions, consolidate_inbox

    spec, _ = _load(ctx.obj.get("form"), None)
    _office_thesaurus_checked(spec)
    if levels == 2:
        from pipeline.demo.levels import build_levels

        tree = build_levels(spec, directory or Path("demo-2-cap"))
        click.echo(f"Đã tạo và tổng hợp {len(tree.offices)} công đoàn cấp trên cơ sở; các bảng tổng hợp của họ ở "
                   f"{tree.inbox}/.",
                   err=True)
        options = RunOptions(inbox=tree.inbox, outbox=tree.outbox, roster=tree.roster, progress=False,
                             allow_empty=True)
        result = consolidate_inbox(tree.top_spec, options)
    else:
        workspace = build_demo(spec, directory or Path("demo"))
        click.echo(f"Đã tạo dữ liệu mẫu trong {workspace.root}/: {workspace.file_count} tệp trong {workspace.inbox}/, "
                   f"danh sách đơn vị {workspace.roster_path}.", err=True)
        office = read_office_part(spec, workspace.office_part) if workspace.office_part else None
        options = RunOptions(inbox=workspace.inbox, outbox=workspace.outbox, roster=workspace.roster,
                             deadline=None, office_part=office, progress=True, allow_empty=True)
        result = consolidate_inbox(spec, options)
    _echo(summary(result))
    _echo(f"\nĐây là dữ liệu thử. Mở {result.outputs.workbook.path} để xem bảng tổng hợp.")


@cli.command(context_settings=CONTEXT, epilog="Ví dụ:\n\n\b\n  consolidate fields\n  consolidate fields --markdown\n"
             "  consolidate fields --previous-table so-lieu-ky-truoc.xlsx")
@click.option("--form", default=None, metavar="MẪU", help="Mã mẫu biểu hoặc tệp .toml.")
@click.option("--markdown", is_flag=True, help="In dạng bảng Markdown (cho README).")
@click.option("--previous-table", "previous_table", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP",
              help="Ghi bảng số liệu kỳ trước để điền tay (.xlsx hoặc .csv): mã trường, nội dung, đơn vị tính.")
@click.pass_context
@_help
@_handled
def fields(ctx: click.Context, form: str | None, markdown: bool, previous_table: Path | None) -> None:
    """In danh sách mã trường (tên vùng trong mẫu Excel) của mẫu biểu."""
    spec, _ = _load(form or ctx.obj.get("form"), None)
    if previous_table is not None:
        from pipeline.previous.table import write_previous_table

        if previous_table.exists():  # a table the office may have typed into: never written over
            _fail(f"Tệp {previous_table} đã có. Công cụ không ghi đè một bảng có thể đã được điền tay: hãy chọn tên "
                  "khác, hoặc xóa tệp đó nếu thật sự muốn tạo lại.", EXIT_USAGE)
        written = write_previous_table(spec, previous_table)
        _echo(f"Đã tạo bảng số liệu kỳ trước: {written}. Điền cột \"Giá trị\" rồi chạy: "
              f"consolidate --previous {written}")
        return
    rows = [(f.code, f.section, f.kind, f.unit, f.label) for f in spec.fields]
    if markdown:
        _echo_markdown(("mã trường", "mục", "kiểu", "đơn vị tính", "nội dung"), rows)
        return
    for code, section, kind, unit, label in rows:
        _echo(f"{code:<24} {section:<6} {kind:<10} {unit:<18} {label}")


@cli.command(context_settings=CONTEXT, epilog="Ví dụ:\n\n\b\n  consolidate problems\n  consolidate problems --markdown")
@click.option("--markdown", is_flag=True, help="In dạng bảng Markdown (cho README).")
@_help
@_handled
def problems(markdown: bool) -> None:
    """In danh mục mã lỗi và cảnh báo: mức độ, tên gọi, nội dung và cách sửa."""
    from pipeline.catalogue import CATALOGUE

    severity = {"error": "lỗi", "warning": "cảnh báo"}
    rows = [(code, severity[e.severity], e.stage, e.label, " ".join(filter(None, (e.message, e.action))))
            for code, e in CATALOGUE.items()]
    if markdown:
        _echo_markdown(("mã", "mức độ", "khi", "tên gọi", "nội dung ({…}: điền theo từng trường hợp)"), rows)
        return
    for code, level, _, label, _ in rows:
        _echo(f"{code:<20} {level:<9} {label}")


def _echo_markdown(headers: tuple[str, ...], rows: list[tuple]) -> None:
    _echo("| " + " | ".join(headers) + " |\n|" + " --- |" * len(headers))
    for row in rows:
        _echo("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |")


@cli.command(context_settings=CONTEXT, epilog="Ví dụ:\n\n\b\n  consolidate mark inbox/CD006.xlsx --received 08/12/2023\n"
             "  consolidate mark \"inbox/thu.eml/Báo cáo.xlsx\" --exclude \"Gửi nhầm bản nháp\"\n"
             "  consolidate mark inbox/CD006.xlsx --clear")
@click.argument("path")
@click.option("--received", callback=_parse_deadline, metavar="DD/MM/YYYY",
              help="Ngày văn phòng đã nhận (ví dụ bản giấy đến trước), thay cho ngày của tệp hoặc thư.")
@click.option("--exclude", metavar="LÝ DO", help="Để riêng tệp này (bị trả lại, mã excluded), kèm lý do.")
@click.option("--clear", is_flag=True, help="Bỏ mọi đánh dấu của tệp này.")
@click.pass_context
@_help
@_handled
def mark(ctx: click.Context, path: str, received: dt.date | None, exclude: str | None, clear: bool) -> None:
    """Đánh dấu của văn phòng cho một tệp (theo nội dung): ngày nhận, để riêng, hoặc bỏ đánh dấu. Áp dụng từ
    lần tổng hợp sau."""
    from pipeline.marks import mark_file

    if not (received or exclude or clear) or (clear and (received or exclude)):
        raise click.UsageError("Dùng một trong --received, --exclude hoặc --clear.")
    outbox = ctx.parent.params.get("outbox") if ctx.parent else Path("outbox")
    _echo(mark_file(Path(outbox or "outbox"), path, received, exclude, clear))


@cli.command(context_settings=CONTEXT, epilog="Ví dụ:\n\n\b\n"
             "  consolidate corrections --thesaurus tu-dien-nhom-bao-cao-cd-2023.toml\n"
             "  consolidate --outbox ket-qua-2023 corrections --thesaurus ban-sao-tu-dien.toml")
@click.option("--thesaurus", "thesaurus", type=click.Path(dir_okay=False, path_type=Path), required=True,
              metavar="TỆP", help="Tệp từ điển nhóm (.toml) cần ghi; không ghi đè tệp đã có. Đặt tên "
                                  "tu-dien-nhom-<mã mẫu>.toml trong thư mục làm việc để các lần tổng hợp sau dùng.")
@click.option("--form", default=None, metavar="MẪU", help="Mã mẫu biểu hoặc tệp .toml (mặc định bao-cao-cd-2023).")
@click.pass_context
@_help
@_handled
def corrections(ctx: click.Context, thesaurus: Path, form: str | None) -> None:
    """Ghi các chỉnh sửa phân nhóm của văn phòng (trang “Phân nhóm câu”, lưu trong sổ tiếp nhận của OUTBOX, mọi kỳ
    của mẫu) thành từ điển nhóm: các lần tổng hợp sau và năm sau xếp các ý đó vào đúng nhóm văn phòng đã chọn."""
    from pipeline.narratives.office_thesaurus import ThesaurusExportError, write_thesaurus
    from pipeline.narratives.themes import office_thesaurus_path

    spec, _ = _load(form or ctx.obj.get("form"), None)
    if not spec.narrative_fields:
        _fail(f"Mẫu {spec.id} không có phần thuyết minh nên không có phân nhóm ý kiến để ghi.", EXIT_USAGE)
    if thesaurus.exists():  # a thesaurus the office may have edited: never written over
        _fail(f"Tệp {thesaurus} đã có. Công cụ không ghi đè một từ điển có thể đã được văn phòng sửa: hãy chọn tên "
              "khác, hoặc xóa tệp đó nếu thật sự muốn tạo lại.", EXIT_USAGE)
    outbox = Path((ctx.parent.params.get("outbox") if ctx.parent else None) or "outbox")
    try:
        exported, notes = write_thesaurus(spec, outbox, thesaurus)
    except ThesaurusExportError as exc:
        _fail(str(exc), EXIT_USAGE)
    except FileExistsError:  # made between the check and the write
        _fail(f"Tệp {thesaurus} đã có: không ghi đè. Hãy chọn tên khác.", EXIT_USAGE)
    _echo(f"Đã ghi từ điển nhóm của văn phòng: {thesaurus} ({exported.themes} chủ đề, {exported.phrases} cụm từ, "
          f"từ {exported.used} ý văn phòng đã xếp nhóm).")
    if exported.alone:
        _echo(f"{exported.alone} ý văn phòng để riêng không thành chủ đề được: xem ghi chú cuối tệp.")
    if exported.conflicting:
        _echo(f"{exported.conflicting} ý được xếp vào các nhóm khác nhau nên không đưa vào: xem ghi chú cuối tệp.")
    expected = office_thesaurus_path(spec)
    if thesaurus.resolve() != expected:
        _echo(f"Để các lần tổng hợp sau dùng từ điển này, đặt nó trong thư mục làm việc với tên {expected.name}"
              + (f" (thay cho từ điển đang dùng: {expected})." if expected.exists() else "."))
    for note in notes:
        _echo(note)


@cli.command(context_settings=CONTEXT, epilog="Ví dụ:\n\n\b\n  consolidate forms")
@_help
@_handled
def forms() -> None:
    """Liệt kê các mẫu biểu có sẵn (mã, tên, kỳ báo cáo, hạn nộp); dùng mã với --form."""
    from pipeline.form import available_forms

    for path in available_forms():
        try:
            spec = load_spec(path)
        except SpecError as exc:
            click.echo(f"Lỗi: {exc}", err=True)
            continue
        _echo(f"{spec.id:<20} {spec.title}\n{'':<20} kỳ: {spec.period_phrase}; hạn nộp: {spec.deadline_text}")
