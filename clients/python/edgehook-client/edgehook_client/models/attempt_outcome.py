from enum import StrEnum

class AttemptOutcome(StrEnum):
    FAILED = "failed"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"

    def __str__(self) -> str:
        return str(self.value)
