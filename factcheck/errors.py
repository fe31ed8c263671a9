"""Exceptions raised by factcheck. Only the CLI turns them into messages.

FactcheckError                 base class of everything below
├── InputError                 an input path, file or line cannot be read or parsed
├── ConfigError                a setting is invalid (unknown model path, bad URL, bad value)
├── IndexMismatchError         the vector index does not match the model or the database
├── StoreError                 the database cannot be opened, migrated or written
└── LLMError                   an LLM endpoint failed, timed out or gave an unusable answer
"""


class FactcheckError(Exception):
    """Base class of all factcheck errors."""


class InputError(FactcheckError):
    """An input path, file or line cannot be read or parsed."""


class ConfigError(FactcheckError):
    """A setting is invalid: a model path that does not exist, a bad value."""


class IndexMismatchError(FactcheckError):
    """The vector index was built by another model or dimension, or disagrees with the database."""


class StoreError(FactcheckError):
    """The database cannot be opened, migrated or written."""


class LLMError(FactcheckError):
    """An LLM endpoint is unreachable, timed out, returned an HTTP error or an unusable answer."""
