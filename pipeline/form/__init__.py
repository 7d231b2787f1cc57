"""The form spec: what a report form is, declared once and loaded from `schemas/`."""
from pipeline.form.load import DEFAULT_FORM, FORM_KEYS, SpecError, available_forms, load_spec, resolve_form
from pipeline.form.model import DerivedSpec, FieldSpec, FormSpec, RuleSpec, SectionSpec

__all__ = [
    "DEFAULT_FORM", "FORM_KEYS", "DerivedSpec", "FieldSpec", "FormSpec", "RuleSpec", "SectionSpec", "SpecError",
    "available_forms", "load_spec", "resolve_form",
]
