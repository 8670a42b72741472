from . import share
