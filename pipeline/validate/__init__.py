"""Checking submissions against the spec: the pandera schema, the rules between figures, outliers, narratives."""
from pipeline.validate.history import previous_problems
from pipeline.validate.periods import choose_period, period_problems, resolve_period
from pipeline.validate.submissions import validate_submissions

__all__ = ["choose_period", "period_problems", "previous_problems", "resolve_period", "validate_submissions"]
