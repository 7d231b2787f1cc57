"""Last period's figures: read back (this tool's workbook or a plain table), compared, and offered as a table."""
