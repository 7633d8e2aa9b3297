"""The one error projects' services raise: `code` for machines, `message` for people."""


class ProjectError(Exception):
    def __init__(self, code: str, message):
        super().__init__(code)
        self.code = code
        self.message = message
