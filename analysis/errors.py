"""Stancemap's exception tree: every error a user can cause is a :class:`StancemapError`.

    StancemapError            base: pages catch it and show ``st.error``; the CLI prints it, exit 2
    ├── InputError            malformed input (a JSONL line, a CLI argument, a share link)
    ├── UnsupportedFile       a file type we cannot read, with the list of types we can
    ├── ExtractionFailed      a readable file with no usable text (empty, scanned PDF, broken)
    ├── ModelUnavailable      a model id that cannot be loaded, with what to do about it
    └── NotFound              an analysis id that does not exist

Messages say what was wrong, what is allowed, and how to fix it.
"""

from __future__ import annotations


class StancemapError(Exception):
    """Base class for errors whose message is meant for the user."""


class InputError(StancemapError):
    """Input that does not have the expected shape."""


class UnsupportedFile(StancemapError):
    """A file type Stancemap cannot read."""


class ExtractionFailed(StancemapError):
    """A file that could be opened but yielded no usable text."""


class ModelUnavailable(StancemapError):
    """A model that cannot be loaded offline (or at all)."""


class NotFound(StancemapError):
    """An analysis (or other stored object) that does not exist."""
