from . import share
from . import field_api
