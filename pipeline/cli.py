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
    # pandera imports hypothesis, to synthesise test data, whenever it is installed (a test dependency here):
    # a fifth of a second of every run for a feature the tool never uses. Only the console script shuts it
    # out; a test process that imports both keeps both.
    sys.modules.setdefault("hypothesis", None)
    code = run_command(sys.argv[1:])
    for stream in (results(), sys.stderr):
        try:
            stream.flush()
        except OSError:  # a closed pipe: what could not be written is nobody's to read
            pass
    os._exit(code)


# The subcommands (template, init, check, demo, fields, problems, mark, corrections, forms) register on `cli`.
import pipeline.commands  # noqa: E402, F401
