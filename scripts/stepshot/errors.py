"""Domain errors. Library code raises these; only the CLI turns them into exit codes.

Exit codes (each means one thing; README.md documents them):
    0  every step fine
    1  drift: a step is broken (label missing, wrong page)
    2  bad input or usage (flow or label file invalid, unknown locale, bad option)
    3  the target cannot be used (unreachable, login required, security checkpoint, server error)
    4  this machine lacks something the tool needs (no Chromium, a full disk)
  130  interrupted (Ctrl+C or SIGTERM): nothing half-written
"""

EXIT_OK = 0
EXIT_DRIFT = 1
EXIT_BAD_INPUT = 2
EXIT_TARGET_UNUSABLE = 3
EXIT_ENVIRONMENT = 4
EXIT_INTERRUPTED = 130


class StepshotError(Exception):
    """Base of every error the CLI reports as one line."""

    exit_code = EXIT_BAD_INPUT


class BadInput(StepshotError):
    """A flow, label or option is invalid. Each message is one line `file: field: message`."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, lines: list[str] | str):
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__("\n".join(self.lines))


class TargetUnusable(StepshotError):
    """The target cannot be walked at all: not drift, the nightly job handles it differently."""

    exit_code = EXIT_TARGET_UNUSABLE

    def __init__(self, reason: str, detail: str):
        self.reason = reason  # login-required | checkpoint | unreachable | server-error | wrong-language
        self.detail = detail
        super().__init__(f"target unusable ({reason}): {detail}")


class BrowserMissing(StepshotError):
    exit_code = EXIT_ENVIRONMENT


class CannotWrite(StepshotError):
    """A file could not be written (a full disk, a read-only folder): the machine, not the input."""

    exit_code = EXIT_ENVIRONMENT
