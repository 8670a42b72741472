from . import test_raken_pull
