class ProgrammeError(Exception):
    """A refused programme operation; `code` is machine readable, `message` is for people."""

    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message
