"""Domain errors. Each message says what went wrong and how to fix it."""


class AssistantError(Exception):
    """Base class: the CLI prints the message and exits non-zero, without a traceback."""


class ConfigError(AssistantError):
    pass


class LoaderError(AssistantError):
    """A single source file could not be read; ingest lists it and continues."""


class StoreError(AssistantError):
    pass


class StoreUnavailableError(StoreError):
    pass


class EmbeddingMismatchError(StoreError):
    pass


class IngestLockedError(AssistantError):
    pass


class QuestionRejectedError(AssistantError):
    """The question is empty or too long; the message is meant for the asker."""


class SuiteError(AssistantError):
    pass
