from . import api
from . import events
