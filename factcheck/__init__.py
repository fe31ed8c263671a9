"""factcheck: fact-check tech-news articles against sources you trust, offline."""
from factcheck.errors import ConfigError, FactcheckError, IndexMismatchError, InputError, StoreError
from factcheck.records import Claim, Document, Evidence, Hit, Label, Passage, Stance, Verdict
from factcheck.settings import Settings

__all__ = [
    "Claim",
    "ConfigError",
    "Document",
    "Evidence",
    "FactcheckError",
    "Hit",
    "IndexMismatchError",
    "InputError",
    "Label",
    "Passage",
    "Settings",
    "Stance",
    "StoreError",
    "Verdict",
]
__version__ = "0.1.0"
