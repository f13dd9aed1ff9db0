"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from api.db.models.catalog import Item, Location, Supplier  # noqa: F401
from api.db.models.demand import Event, PresaleCampaign, PresaleDeposit, Sale  # noqa: F401
from api.db.models.plans import (  # noqa: F401
    OPERATIONPLAN_STATUSES,
    OPERATIONPLAN_TYPES,
    Alert,
    AuditEvent,
    Forecast,
    OperationPlan,
    PlanRun,
    Scenario,
)
from api.db.models.sourcing import Buffer, ItemDistribution, ItemSupplier  # noqa: F401
from api.db.models.auth import ApiKey, IdempotencyRecord  # noqa: F401
from api.db.models.jobs import Job  # noqa: F401
from api.db.models.supplier_docs import Shipment, SupplierOrder  # noqa: F401
