"""The `consolidate` command: parses options, calls the library, turns its errors into messages and exit codes."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import signal
import sys
from pathlib import Path

import click

from pipeline import __version__
from pipeline.clickvi import install as install_vietnamese_click
from pipeline.form import SpecError, load_spec
from pipeline.roster import RosterError, read_roster
from pipeline.streams import reserve_stdout, results, use_utf8
from pipeline.vietnamese import parse_vn_date

# Exit codes (documented in the README): 0 all accepted or ignored; 1 the run finished with rejected or
# pending files (or `check` found errors); 2 usage error, broken spec or roster, or a run refused because it
# would replace good results; 3 another run holds the outbox, or the register is locked; 4 an output or the
# register could not be written; 5 an unexpected internal error (a bug: the message says so); 130 stopped by
# Ctrl-C.
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_BUSY, EXIT_WRITE, EXIT_INTERNAL = 0, 1, 2, 3, 4, 5
EXIT_INTERRUPTED = 130
INTERRUPTED = ("Đã dừng theo yêu cầu (Ctrl-C). Không tệp kết quả nào bị ghi dở: mỗi tệp trong thư mục kết quả vẫn "
               "là bản đầy đủ gần nhất, sổ tiếp nhận và các đánh dấu vẫn nguyên. Chạy lại khi cần.")

install_vietnamese_click()
CONTEXT = {"help_option_names": [], "max_content_width": 100}
_json_in_arguments = False  # `--json` among the console script's arguments: errors then print a JSON document


def _show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        _echo(ctx.get_help())
        ctx.exit(EXIT_OK)


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        _echo(f"consolidate {__version__}")
        ctx.exit(EXIT_OK)


# Help and version are what the command means to print: on stdout (click's own options echo to sys.stdout,
# which the console script points at stderr to keep a --json document clean).
_help = click.option("-h", "--help", is_flag=True, expose_value=False, is_eager=True, callback=_show_help,
                     help="Hiện trợ giúp này và thoát.")
_version = click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
                        help="Hiện phiên bản và thoát.")


def _parse_deadline(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_vn_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@contextlib.contextmanager
def _not_interrupted():
    """Ctrl-C held back while a finished run prints its results (it would leave half a JSON document)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread (a test runner): nothing to hold back
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _wants_json() -> bool:
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.params.get("as_json") or (isinstance(ctx.obj, dict) and ctx.obj.get("as_json")):
            return True
        ctx = ctx.parent
    return _json_in_arguments


def _error_document(code: int, message: str) -> str:
    return json.dumps({"error": {"exit": code, "message": message}}, ensure_ascii=False, indent=2)


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    """The one way a command ends in error: the message on stderr, and with --json one document on stdout."""
    click.echo(f"Lỗi: {message}" if code != EXIT_INTERRUPTED else message, err=True)
    if _wants_json():
        _echo(_error_document(code, message))
    sys.exit(code)


def _echo(text: str) -> None:
    """What the command means to print: the only text that goes to stdout."""
    click.echo(text, file=results())


def _load(form: str | None, roster: Path | None, period: str | None = None):
    from pipeline.workspace import read_office, with_office

    spec = with_office(load_spec(form), read_office())  # the office of consolidate.toml, when there is one
    if period:  # a period the form does not have is a usage error, before anything is read
        from pipeline.validate.periods import resolve_period

        resolve_period(spec, period)
    return spec, (read_roster(roster) if roster else None)


def _office_thesaurus_checked(spec) -> None:
    """An office thesaurus that cannot be used (tu-dien-nhom-<form>.toml in the working folder) refuses the run
    before any file is read: SpecError, exit 2, naming the file and the line (narratives/office_thesaurus.py)."""
    if spec.narrative_fields:
        from pipeline.narratives.themes import thesaurus_for

        thesaurus_for(spec)


def _handled(command):
    """Every command maps the library's errors the same way, to a message and a documented exit code."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (SystemExit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:  # the reader of stdout went away (`consolidate fields | head`): nothing to say
            sys.exit(EXIT_OK)
        except KeyboardInterrupt:
            _fail(INTERRUPTED, EXIT_INTERRUPTED)
        except Exception as exc:
            _fail(*_explain(exc))
    return run


def _explain(exc: Exception) -> tuple[str, int]:
    """The message and exit code for an error out of the library (imported here: only an error pays for it)."""
    from pipeline.demo import DemoError
    from pipeline.marks import MarkError
    from pipeline.office_part import OfficePartError
    from pipeline.outputs.lock import OutboxBusy
    from pipeline.previous.read import PreviousError
    from pipeline.register import RegisterBusy, RegisterDamaged
    from pipeline.run import RunRefused
    from pipeline.workspace import WorkspaceError

    if isinstance(exc, (SpecError, RosterError, DemoError, PreviousError, MarkError, RunRefused, RegisterDamaged,
                        OfficePartError, WorkspaceError)):
        return str(exc), EXIT_USAGE
    if isinstance(exc, (OutboxBusy, RegisterBusy)):
        return str(exc), EXIT_BUSY
    if isinstance(exc, OSError):
        where = f" vào {exc.filename}" if exc.filename else ""
        return (f"Không ghi được kết quả{where}: {exc.strerror or exc}. Kiểm tra chỗ trống trên đĩa và quyền ghi "
                "thư mục, rồi chạy lại.", EXIT_WRITE)
    # A bug, not the user's doing: say so, and keep the code apart from "files rejected".
    return (f"Lỗi nội bộ của công cụ ({type(exc).__name__}: {exc}). Kết quả lần chạy trước vẫn còn nguyên. "
            "Hãy báo cho người quản trị kèm thông báo này.", EXIT_INTERNAL)


@click.group(context_settings=CONTEXT, invoke_without_command=True,
             epilog="Ví dụ:\n\n\b\n  consolidate                        # tổng hợp ./inbox vào ./outbox\n"
                    "  consolidate --roster ds-cdcs.xlsx  # đối chiếu với danh sách đơn vị\n"
                    "  consolidate demo                   # chạy thử trên dữ liệu mẫu\n"
                    "  consolidate --previous tong-hop-2022.xlsx   # so với năm trước\n"
                    "  consolidate template --roster ds-cdcs.xlsx --out mau-gui-di")
@click.option("--inbox", type=click.Path(file_okay=False, path_type=Path), default=Path("inbox"),
              show_default=True, help="Thư mục chứa các tệp báo cáo CĐCS gửi về (không bị sửa đổi).")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path), default=Path("outbox"),
              show_default=True, help="Thư mục ghi kết quả tổng hợp.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path),
              help="Danh sách đơn vị (.xlsx hoặc .csv, cột Mã CĐCS, Tên CĐCS, Khối, Email, Điện thoại).")
@click.option("--form", default=None, metavar="MẪU", help="Mã mẫu biểu hoặc đường dẫn tệp .toml (mặc định bao-cao-cd-2023).")
@click.option("--deadline", callback=_parse_deadline, metavar="DD/MM/YYYY",
              help="Hạn nộp, thay cho hạn ghi trong mẫu biểu (11/12/2023, 11-12-2023, 11.12.2023, 2023-12-11).")
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP",
              help="Số liệu kỳ trước để so sánh: bảng tổng hợp kỳ trước do công cụ tạo, hoặc bảng (.xlsx, .csv) "
                   "cột Mã trường, Giá trị (xem: consolidate fields --previous-table).")
@click.option("--period", default=None, metavar="KỲ",
              help="Với mẫu có nhiều kỳ số liệu (như 1-hdcd: 31/5, 30/11): kỳ cần tổng hợp; mặc định là kỳ nhiều "
                   "tệp chọn nhất.")
@click.option("--office-part", "office_part", type=click.Path(dir_okay=False, path_type=Path), metavar="TỆP",
              help="Phần của văn phòng (tạo bằng: consolidate template --office-part); mặc định tệp "
                   "phan-van-phong-<mẫu>.xlsx cạnh thư mục inbox hoặc trong templates/ cạnh đó.")
@click.option("--json", "as_json", is_flag=True, help="Chỉ in kết quả dạng JSON ra stdout (cho máy đọc).")
@click.option("--quiet", "-q", is_flag=True, help="Không in tiến trình và bản tóm tắt.")
@click.option("--allow-empty", is_flag=True,
              help="Cho phép tổng hợp khi hộp thư đến trống hoặc không còn tệp nào của lần chạy trước (thay kết quả "
                   "cũ bằng kết quả rỗng).")
@_version
@_help
@click.pass_context
@_handled
def cli(ctx: click.Context, inbox: Path, outbox: Path, roster: Path | None, form: str | None,
        deadline: dt.date | None, previous: Path | None, period: str | None, office_part: Path | None,
        as_json: bool, quiet: bool, allow_empty: bool) -> None:
    """Tổng hợp báo cáo của các Công đoàn cơ sở theo mẫu biểu (mặc định: báo cáo năm theo Hướng dẫn 148/HD-CĐVC).

    Chạy không kèm lệnh con: đọc mọi tệp trong thư mục INBOX, kiểm tra, tổng hợp và ghi vào OUTBOX
    bảng tổng hợp Excel, dự thảo báo cáo Word và phản hồi cho từng đơn vị có lỗi.
    """
    ctx.ensure_object(dict)
    ctx.obj.update(form=form, as_json=as_json, quiet=quiet, roster=roster, deadline=deadline, period=period)
    if ctx.invoked_subcommand is not None:
        return
    spec, units = _load(form, roster, period)
    _office_thesaurus_checked(spec)
    from pipeline.run import RunOptions, Unchanged, consolidate_inbox

    if not inbox.is_dir():
        _fail(f"Không có thư mục hộp thư đến '{inbox}'. Tạo thư mục này và chép các tệp báo cáo vào đó.")
    last = None
    if previous is not None:
        from pipeline.previous.read import read_previous

        last = read_previous(spec, previous)
    from pipeline.office_part import find_office_part, read_office_part

    office_part = office_part or find_office_part(spec, inbox)
    options = RunOptions(inbox=inbox, outbox=outbox, roster=units, deadline=deadline, period=period,
                         previous=last, office_part=read_office_part(spec, office_part) if office_part else None,
                         progress=not (quiet or as_json), allow_empty=allow_empty,
                         keep_unchanged=not as_json)  # a --json run always says everything
    result = consolidate_inbox(spec, options)
    if isinstance(result, Unchanged):
        if not quiet:
            from pipeline.console import unchanged

            _echo(unchanged(result))
        sys.exit(EXIT_PROBLEMS if result.has_unmerged else EXIT_OK)
    with _not_interrupted():  # the run is done: a Ctrl-C now would cut its one document short
        if as_json:
            _echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        elif not quiet:
            from pipeline.console import summary

            _echo(summary(result))
    if not result.register_written:
        sys.exit(EXIT_WRITE)
    sys.exit(EXIT_PROBLEMS if result.has_unmerged else EXIT_OK)


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
        click.echo(f"Đã tạo và tổng hợp {len(tree.offices)} đơn vị cấp dưới; các bảng tổng hợp của họ ở {tree.inbox}/.",
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


def run_command(args: list[str]) -> int:
    """The command line as the console script runs it: every ending, a usage error or Ctrl-C included, is one
    documented exit code, with one JSON document on stdout under --json."""
    global _json_in_arguments
    _json_in_arguments = "--json" in args[: args.index("--")] if "--" in args else "--json" in args
    try:
        cli.main(args=args, prog_name="consolidate", standalone_mode=False)
        return EXIT_OK
    except SystemExit as stop:
        if not isinstance(stop.code, (int, type(None))):
            click.echo(stop.code, err=True)
            return EXIT_USAGE
        return stop.code or EXIT_OK
    except click.ClickException as exc:  # a usage error, found while parsing: click's words, in Vietnamese
        exc.show()
        if _json_in_arguments:
            _echo(_error_document(exc.exit_code, exc.format_message()))
        return exc.exit_code
    except (click.Abort, KeyboardInterrupt):
        click.echo(INTERRUPTED, err=True)
        if _json_in_arguments:
            _echo(_error_document(EXIT_INTERRUPTED, INTERRUPTED))
        return EXIT_INTERRUPTED


def main() -> None:
    """The console script. Ends without the interpreter's teardown: every output is written, closed and
    renamed by then, and freeing a large run's objects one by one costs a noticeable part of a second."""
    use_utf8()
    reserve_stdout()
    code = run_command(sys.argv[1:])
    for stream in (results(), sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe: what could not be written is nobody's to read
            pass
    os._exit(code)
