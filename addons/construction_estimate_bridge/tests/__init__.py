from . import test_construction_app_ui
