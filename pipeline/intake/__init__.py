"""Reading returned workbooks: finding, sniffing, reading and coercing their values."""
