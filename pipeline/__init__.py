"""consolidate: turn the report workbooks returned by grassroots unions into one consolidated workbook and report."""

__version__ = "0.3.1"
