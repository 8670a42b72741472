from . import test_object_storage
