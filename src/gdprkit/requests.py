"""The register of data-subject requests and their Art. 12(3) deadlines.

A request under Art. 15-21 is answered "without undue delay and in any event
within one month of receipt", extendable once by two further months with
reasons given to the subject within that first month (Art. 12(3)); a refusal
tells the subject why and that they may complain to the supervisory
authority (Art. 12(4)). :class:`RequestRegister` keeps each request, its
state and history in the store, and says which are due and which are late.
Deadlines follow :func:`gdprkit.timecalc.response_deadline` (Reg. 1182/71,
Swedish holidays by default, receipt date in Europe/Stockholm).

Unlike the consent ledger, a request keeps the subject's id in clear: the
controller has to find the data to answer it.
"""

from __future__ import annotations

from gdprkit._errors import RequestStateError as RequestStateError
from gdprkit._errors import UnknownRequest
from gdprkit._requests.register import RequestRegister
from gdprkit._requests.values import RequestEvent, RequestKind, RequestState, SubjectRequest
from gdprkit._util import require_aware as require_aware
from gdprkit._util import require_text as require_text
from gdprkit._util import utc_stamp as utc_stamp
from gdprkit.store import Store as Store
from gdprkit.store import StoreConnection as StoreConnection
from gdprkit.store import check_store as check_store
from gdprkit.timecalc import SWEDEN as SWEDEN
from gdprkit.timecalc import HolidayCalendar as HolidayCalendar
from gdprkit.timecalc import end_of_day as end_of_day
from gdprkit.timecalc import receipt_date as receipt_date
from gdprkit.timecalc import response_deadline as response_deadline
from gdprkit.vocab import Right as Right

# The names imported `as` themselves above are not this module's API: it exposed them,
# as by-products of its imports, before it became a facade, and they stay importable.
__all__ = [
    "RequestEvent",
    "RequestKind",
    "RequestRegister",
    "RequestState",
    "SubjectRequest",
    "UnknownRequest",
]

# The request types report this module as theirs, as they did before the split: it is
# where they are documented (gdprkit.rights re-exports them) and the path pickles name.
for _public in (RequestEvent, RequestKind, RequestRegister, RequestState, SubjectRequest):
    _public.__module__ = __name__
