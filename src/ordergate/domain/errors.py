"""Domain errors. Each names what was refused and why, so entrypoints can map it to an answer."""


class DomainError(Exception):
    """Base of all domain errors."""

    code = "domain_error"


class InvalidOrderTransition(DomainError):
    """An event would move an order along a transition the state machine does not allow."""

    code = "invalid_transition"


class OverfillError(DomainError):
    """A fill would take an order's filled quantity above its quantity."""

    code = "overfill"


class ValidationFailed(DomainError):
    """A command breaks a rule; ``field`` names the input and ``rule`` the rule it broke."""

    code = "validation_failed"

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.rule = rule
        self.message = message


class UnknownOrder(DomainError):
    """No order has this id."""

    code = "unknown_order"


class UnknownAccount(DomainError):
    """No account has this id."""

    code = "unknown_account"


class OrderStateConflict(DomainError):
    """The request cannot be applied in the order's current state (e.g. cancel of a filled order)."""

    code = "too_late"


class AccountStateConflict(DomainError):
    """The account's state does not allow this (closed, or still holding positions or working orders)."""

    code = "account_state"


class DuplicateClientOrderId(DomainError):
    """The client order id is already used by this account for a different request."""

    code = "duplicate_client_order_id"
