from enum import StrEnum

class WebhookStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    INACTIVE = "inactive"

    def __str__(self) -> str:
        return str(self.value)
