"""Writing what staff report: indicator actuals, spending, period locking, history and audit.

Every write goes through here, whatever the caller (the 填报 page, an uploaded template or CSV, the
command line):

* **Permissions** are checked per row in the data layer (``data_access.permissions``): staff write only
  their units' projects, leaders write nothing (the whole call is refused), the admin writes all.
* **Locked periods** are read-only for everyone until an admin reopens them; a lock covers every period
  whose values fall inside it (a locked quarter its months, a locked month the quarter ending with it).
* **Validation** is ``domain.entry`` (which asks ``domain.status`` what must be explained).
* **Optimistic concurrency** on each row's ``version``; one transaction per call; one ``AuditLog`` row
  per changed field; the data revision is bumped (details in :mod:`data_access.actuals.saving`).

Reads for the editors (``entry_frame``, ``spending_frame``), the project page (``history``) and the
admin (``audit_frame``, ``period_states``) live here too, so the column names match what is written.

One module per concern:

* :mod:`~data_access.actuals.results` — what a save or an import reports (rows refused, conflicts, changes);
* :mod:`~data_access.actuals.saving` — the save path for indicator and spending rows;
* :mod:`~data_access.actuals.file_import` — uploaded templates and CSV files;
* :mod:`~data_access.actuals.periods` — reporting periods, locking and reopening;
* :mod:`~data_access.actuals.frames` — the editors' tables and their column names;
* :mod:`~data_access.actuals.rules` — what the editors need to judge rows while they are typed;
* :mod:`~data_access.actuals.history` — the change history and the admin's audit view;
* :mod:`~data_access.actuals.access`, :mod:`~data_access.actuals.lookups`,
  :mod:`~data_access.actuals.values` — what those share (permissions and transactions, reads of earlier
  values, value comparison and audit text).
"""

from data_access.actuals.access import SOURCE_LABELS, SYSTEM_ADMIN
from data_access.actuals.file_import import import_actuals
from data_access.actuals.frames import (
    IND_COLUMNS,
    IND_EDIT_COLUMNS,
    IND_FIELD_COLUMNS,
    IND_HIDDEN_COLUMNS,
    IND_READONLY_COLUMNS,
    SP_COLUMNS,
    SP_EDIT_COLUMNS,
    SP_FIELD_COLUMNS,
    SP_HIDDEN_COLUMNS,
    SP_READONLY_COLUMNS,
    editable_projects,
    entry_frame,
    spending_frame,
)
from data_access.actuals.history import HISTORY_COLUMNS, AuditFilters, audit_frame, field_text, history
from data_access.actuals.periods import (
    PeriodState,
    default_entry_period,
    lock_period,
    past_period_warning,
    period_label,
    period_state,
    period_states,
    reopen_period,
    reporting_kind,
    set_deadline,
)
from data_access.actuals.results import (
    Change,
    Conflict,
    ImportResult,
    LineChange,
    LineError,
    RowError,
    SaveResult,
)
from data_access.actuals.rules import EntryRules, entry_rules
from data_access.actuals.saving import save_indicator_rows, save_spending_rows
from data_access.actuals.values import fmt_value
from domain.clock import format_time
from domain.entry import ANY_VERSION
from domain.labels import ACTION_LABELS, ENTITY_LABELS  # the audit filter's choices

__all__ = [
    "SYSTEM_ADMIN", "SOURCE_LABELS", "RowError", "Conflict", "Change", "SaveResult", "save_indicator_rows",
    "save_spending_rows", "PeriodState", "period_states", "period_state", "period_label", "reporting_kind",
    "default_entry_period", "past_period_warning", "lock_period", "reopen_period", "set_deadline", "IND_EDIT_COLUMNS", "IND_FIELD_COLUMNS",
    "IND_COLUMNS", "IND_READONLY_COLUMNS", "IND_HIDDEN_COLUMNS", "SP_EDIT_COLUMNS", "SP_FIELD_COLUMNS",
    "SP_COLUMNS", "SP_READONLY_COLUMNS", "SP_HIDDEN_COLUMNS", "entry_frame", "spending_frame",
    "editable_projects", "history", "HISTORY_COLUMNS", "AuditFilters", "audit_frame", "format_time", "fmt_value",
    "ANY_VERSION", "LineError", "LineChange", "EntryRules",
    "entry_rules", "ImportResult", "import_actuals", "ACTION_LABELS", "ENTITY_LABELS", "field_text",
]
