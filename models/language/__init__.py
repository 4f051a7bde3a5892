"""Inclusive-language check of job descriptions: coded wording, found offline from word lists."""

from models.language.check import Finding, LanguageReport, check_language

__all__ = ["Finding", "LanguageReport", "check_language"]
