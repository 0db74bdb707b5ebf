from enum import StrEnum

class DeadLetterReason(StrEnum):
    REJECTED = "rejected"
    RETRIES_EXHAUSTED = "retries_exhausted"
    WEBHOOK_INACTIVE = "webhook_inactive"

    def __str__(self) -> str:
        return str(self.value)
