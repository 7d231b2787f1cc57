"""Checking submissions against the spec: the pandera schema, the rules between figures, outliers, narratives."""
from pipeline.validate.submissions import validate_submissions

__all__ = ["validate_submissions"]
