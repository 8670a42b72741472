from . import api
from . import events
from . import export
from . import webhooks
