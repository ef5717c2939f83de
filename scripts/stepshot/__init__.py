"""stepshot: keeps the LinkedIn AI opt-out guide true to LinkedIn's interface."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("stepshot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
