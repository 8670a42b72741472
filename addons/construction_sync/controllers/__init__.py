from . import api
from . import events
from . import webhooks
