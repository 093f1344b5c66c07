"""The errors glassnet raises on purpose.

Every one carries a single sentence that says what is wrong and, where it can, what to do
instead. The command line prints that sentence and exits with a non-zero code; the web lab turns
it into an HTTP 4xx with a JSON message. Nothing a user types should ever surface as a traceback.
"""


class GlassnetError(Exception):
    """Base class: a problem with the user's input, data or files, explained in one line."""

    exit_code = 2

    def __str__(self) -> str:  # one line, always
        return " ".join(super().__str__().split())


class DataError(GlassnetError, ValueError):
    """A data file or image that cannot be used (truncated, wrong format, hash mismatch, blank)."""


class ConfigError(GlassnetError, ValueError):
    """A hyper-parameter or option outside the range that makes sense."""


class ModelFileError(GlassnetError, ValueError):
    """A model file that is missing, truncated, tampered with or inconsistent."""


class DivergedError(GlassnetError, FloatingPointError):
    """Training produced NaN or infinity: the learning rate is too large for this network."""

    exit_code = 1
