from . import estimates
